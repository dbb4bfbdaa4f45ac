/** Subscription tiers at work: what Stripe's subscription, invoice and checkout objects mean for allowances. */
package dev.tokenbilling.internal.subscription;
