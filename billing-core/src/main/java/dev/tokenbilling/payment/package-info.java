/**
 * The payment-gateway SPI: what the library asks of Stripe (or another provider). The stripe-java
 * implementation is built from {@link dev.tokenbilling.stripe.StripeApi}.
 */
package dev.tokenbilling.payment;
