package dev.tokenbilling.error;

import java.time.Instant;

/**
 * A debit or a hold that the user's monthly usage limit refused; names the limit and when it resets.
 * Nothing was debited or held.
 */
public class SpendLimitException extends BillingException {

    private final long limit;
    private final long usedThisMonth;
    private final long held;
    private final Instant resetsAt;

    /** A debit refused: the month's usage and {@code requested} together would pass the limit. */
    public SpendLimitException(String userId, long requested, long limit, long usedThisMonth, Instant resetsAt) {
        this(
                limit,
                usedThisMonth,
                0,
                resetsAt,
                "User " + Echo.cap(userId) + " may use at most " + limit + " tokens per month and used "
                        + usedThisMonth + " this month; " + requested + " more are refused until the limit resets at "
                        + resetsAt);
    }

    /** A hold refused: the month's usage, the active holds ({@code held}) and this hold would pass the limit. */
    public SpendLimitException(
            String userId, long requested, long limit, long usedThisMonth, long held, Instant resetsAt) {
        this(
                limit,
                usedThisMonth,
                held,
                resetsAt,
                "User " + Echo.cap(userId) + " may use at most " + limit + " tokens per month, used " + usedThisMonth
                        + " this month and holds " + held + " for requests in flight; a hold of " + requested
                        + " more is refused until the limit resets at " + resetsAt);
    }

    private SpendLimitException(long limit, long usedThisMonth, long held, Instant resetsAt, String message) {
        super(BillingError.SPEND_LIMIT_REACHED, message);
        this.limit = limit;
        this.usedThisMonth = usedThisMonth;
        this.held = held;
        this.resetsAt = resetsAt;
    }

    public long limit() {
        return limit;
    }

    public long usedThisMonth() {
        return usedThisMonth;
    }

    /** What the user's active holds set aside when a hold was refused; 0 for a refused debit. */
    public long held() {
        return held;
    }

    public Instant resetsAt() {
        return resetsAt;
    }
}
