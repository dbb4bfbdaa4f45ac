package dev.tokenbilling.boot.autoconfigure;

/**
 * The {@code billing.*} configuration cannot work, found at startup so that the application fails
 * fast instead of failing its first customer. {@link #action()} says how to fix it.
 */
public class BillingConfigurationException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String action;

    public BillingConfigurationException(String problem, String action) {
        super(problem);
        this.action = action;
    }

    /** What to change to fix the problem. */
    public String action() {
        return action;
    }
}
