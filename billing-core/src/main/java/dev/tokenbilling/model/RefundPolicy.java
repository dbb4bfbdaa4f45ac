package dev.tokenbilling.model;

/**
 * What a refund or dispute does when the user already spent the purchased tokens. Either way usage
 * is refused while the balance is not positive.
 */
public enum RefundPolicy {
    /** Take back every refunded token; the balance may go negative (the default). */
    ALLOW_NEGATIVE_BALANCE,
    /** Take back only what is left, never below zero, and record the rest as the purchase's shortfall. */
    REVERSE_AVAILABLE_ONLY
}
