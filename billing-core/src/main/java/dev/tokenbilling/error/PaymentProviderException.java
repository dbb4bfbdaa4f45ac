package dev.tokenbilling.error;

import java.util.Objects;

/**
 * Stripe (or another payment provider) could not do what was asked. {@link #retryable()} tells
 * whether the same call may succeed later (unreachable, rate-limited, 5xx) or needs a fix first
 * (rejected key, invalid request); {@link #reason()} says which kind of failure it was. The message
 * is for operators (it never contains API keys); show end users only the code.
 */
public class PaymentProviderException extends BillingException {

    private static final long serialVersionUID = 1L;

    /** The kind of provider failure, to switch on. */
    public enum Reason {
        /** The provider could not be reached (network, timeout). */
        UNREACHABLE,
        /** Too many requests; retry shortly. */
        RATE_LIMITED,
        /** The API key was rejected. */
        AUTHENTICATION,
        /** The key lacks a permission the call needs. */
        PERMISSION,
        /** The provider refused a reused idempotency key with other parameters. */
        IDEMPOTENCY,
        /** The card was declined ({@link #providerCode()} carries the decline code). */
        CARD_DECLINED,
        /** The provider refused the request as invalid. */
        INVALID_REQUEST,
        /** The provider failed on its side (5xx) or answered something unusable. */
        PROVIDER_ERROR
    }

    private final Reason reason;
    private final String providerCode;

    public PaymentProviderException(
            Reason reason, String message, String providerCode, boolean retryable, Throwable cause) {
        super(BillingError.PAYMENT_PROVIDER, message, retryable, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.providerCode = providerCode == null ? reason.name().toLowerCase(java.util.Locale.ROOT) : providerCode;
    }

    public Reason reason() {
        return reason;
    }

    /** The provider's own short code (e.g. Stripe's {@code card_declined}, {@code insufficient_funds}), or the reason in lower case. */
    public String providerCode() {
        return providerCode;
    }
}
