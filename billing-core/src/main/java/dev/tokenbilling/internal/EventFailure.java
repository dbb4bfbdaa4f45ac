package dev.tokenbilling.internal;

/**
 * Processing an event cannot go on. Permanent failures (an amount that does not match, an unknown
 * purchase) are recorded and never retried automatically; retryable ones (the purchase is not
 * completed yet) are tried again later.
 */
public final class EventFailure extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final boolean retryable;

    private EventFailure(String message, boolean retryable) {
        super(message, null, false, false);
        this.retryable = retryable;
    }

    public static EventFailure permanent(String message) {
        return new EventFailure(message, false);
    }

    public static EventFailure retryable(String message) {
        return new EventFailure(message, true);
    }

    public boolean retryable() {
        return retryable;
    }
}
