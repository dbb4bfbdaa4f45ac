package dev.tokenbilling;

/**
 * Base of every exception the library throws on purpose. Unchecked, so callers catch only the
 * subclasses they can act on (for example {@link InsufficientTokensException}).
 */
public class BillingException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public BillingException(String message) {
        super(message);
    }

    public BillingException(String message, Throwable cause) {
        super(message, cause);
    }
}
