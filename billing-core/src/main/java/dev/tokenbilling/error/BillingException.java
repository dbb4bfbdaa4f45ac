package dev.tokenbilling.error;

import java.util.Objects;

/**
 * Base of every exception the library throws on purpose. Unchecked, so callers catch only what they
 * can act on; every one carries a stable {@link BillingError} {@link #code()} and whether a retry of
 * the same call can help ({@link #retryable()}). Messages are for operators and never carry secrets.
 */
public class BillingException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final BillingError code;
    private final boolean retryable;

    public BillingException(BillingError code, String message) {
        this(code, message, code.retryableByDefault(), null);
    }

    public BillingException(BillingError code, String message, Throwable cause) {
        this(code, message, code.retryableByDefault(), cause);
    }

    public BillingException(BillingError code, String message, boolean retryable, Throwable cause) {
        super(message, cause);
        this.code = Objects.requireNonNull(code, "code");
        this.retryable = retryable;
    }

    /** What went wrong, as a stable code to switch on. */
    public BillingError code() {
        return code;
    }

    /** Whether the same call may succeed later without any change (the database or Stripe was unavailable). */
    public boolean retryable() {
        return retryable;
    }
}
