/**
 * FakeStripe: an offline, stateful Stripe for tests that stripe-java talks to as if it were Stripe.
 *
 * <p>Start one with {@link dev.tokenbilling.testkit.stripe.FakeStripe#start()} or the JUnit 5 {@link
 * dev.tokenbilling.testkit.stripe.FakeStripeExtension}, or run {@link
 * dev.tokenbilling.testkit.stripe.FakeStripeMain} as a standalone server. {@link
 * dev.tokenbilling.testkit.stripe.StripeWebhookSigner} signs hand-built webhook payloads. Everything in
 * the {@code internal} subpackage is implementation and may change.
 */
package dev.tokenbilling.testkit.stripe;
