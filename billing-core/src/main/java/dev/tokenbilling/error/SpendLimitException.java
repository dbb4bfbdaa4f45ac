package dev.tokenbilling.error;

import java.time.Instant;

/** A debit that the user's monthly usage limit refused; names the limit and when it resets. Nothing was debited. */
public class SpendLimitException extends BillingException {

    private final long limit;
    private final long usedThisMonth;
    private final Instant resetsAt;

    public SpendLimitException(String userId, long requested, long limit, long usedThisMonth, Instant resetsAt) {
        super(
                BillingError.SPEND_LIMIT_REACHED,
                "User " + Echo.cap(userId) + " may use at most " + limit + " tokens per month and used "
                        + usedThisMonth + " this month; " + requested + " more are refused until the limit resets at "
                        + resetsAt);
        this.limit = limit;
        this.usedThisMonth = usedThisMonth;
        this.resetsAt = resetsAt;
    }

    public long limit() {
        return limit;
    }

    public long usedThisMonth() {
        return usedThisMonth;
    }

    public Instant resetsAt() {
        return resetsAt;
    }
}
