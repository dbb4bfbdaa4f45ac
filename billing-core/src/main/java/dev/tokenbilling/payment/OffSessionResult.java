package dev.tokenbilling.payment;

import java.util.Optional;

/** How an off-session payment went. */
public sealed interface OffSessionResult {

    /** The PaymentIntent as Stripe answered (succeeded, or processing for slower methods). */
    record Paid(PaymentIntentSnapshot intent) implements OffSessionResult {}

    /** The card was declined ({@code code}: Stripe's decline code, e.g. {@code insufficient_funds}). */
    record Declined(String code, String message, Optional<PaymentIntentSnapshot> intent) implements OffSessionResult {}

    /** The bank wants the user to authenticate: the PaymentIntent can be confirmed on-session. */
    record NeedsAuthentication(PaymentIntentSnapshot intent) implements OffSessionResult {}
}
