package dev.tokenbilling;

/**
 * Stripe (or another payment provider) could not do what was asked. {@link #isRetryable()} tells
 * whether the same call may succeed later (unreachable, rate-limited, 5xx) or needs a fix first
 * (rejected key, invalid request). Messages never contain API keys.
 */
public class PaymentProviderException extends BillingException {

    private static final long serialVersionUID = 1L;

    private final boolean retryable;
    private final String code;

    public PaymentProviderException(String message, String code, boolean retryable, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.retryable = retryable;
    }

    public boolean isRetryable() {
        return retryable;
    }

    /** A short machine-readable reason: {@code unreachable}, {@code rate_limited}, {@code authentication}, ... */
    public String code() {
        return code;
    }
}
