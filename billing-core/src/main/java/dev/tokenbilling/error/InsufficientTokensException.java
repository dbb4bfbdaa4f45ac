package dev.tokenbilling.error;

import dev.tokenbilling.model.UserId;

/** A debit was refused because the user's available balance is smaller than the tokens asked for. */
public class InsufficientTokensException extends BillingException {

    private static final long serialVersionUID = 1L;

    private final String userId;
    private final long requested;
    private final long available;

    public InsufficientTokensException(UserId userId, long requested, long available) {
        super(BillingError.INSUFFICIENT_TOKENS, "User " + userId.value() + " has " + available + " tokens available, " + requested + " requested");
        this.userId = userId.value();
        this.requested = requested;
        this.available = available;
    }

    public UserId userId() {
        return UserId.of(userId);
    }

    public long requested() {
        return requested;
    }

    /** The tokens the user could spend at the moment of the refusal (never negative). */
    public long available() {
        return available;
    }
}
