package dev.tokenbilling.error;

/** A debit was refused because the user's available balance is smaller than the tokens asked for. */
public class InsufficientTokensException extends BillingException {

    private static final long serialVersionUID = 1L;

    private final String userId;
    private final long requested;
    private final long available;

    public InsufficientTokensException(String userId, long requested, long available) {
        super(
                BillingError.INSUFFICIENT_TOKENS,
                "User " + userId + " has " + available + " tokens available, " + requested + " requested");
        this.userId = userId;
        this.requested = requested;
        this.available = available;
    }

    /** The user whose debit was refused. */
    public String userId() {
        return userId;
    }

    public long requested() {
        return requested;
    }

    /** The tokens the user could spend at the moment of the refusal (never negative). */
    public long available() {
        return available;
    }
}
