/**
 * Host hooks: what a host application plugs into the library to hear of changes
 * ({@link dev.tokenbilling.hook.BillingListener}), to act on Stripe events the library does not
 * process ({@link dev.tokenbilling.hook.EventHandler}) and to name each user's Stripe customer
 * ({@link dev.tokenbilling.hook.StripeCustomerResolver}).
 */
package dev.tokenbilling.hook;
