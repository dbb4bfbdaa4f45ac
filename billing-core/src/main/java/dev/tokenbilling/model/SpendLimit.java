package dev.tokenbilling.model;

import java.time.Instant;

/**
 * A user's usage limit: at most {@code tokensPerMonth} tokens of usage per calendar month (UTC).
 *
 * @param usedThisMonth usage counted so far this month
 * @param resetsAt      the start of next month, when the count starts again
 */
public record SpendLimit(long tokensPerMonth, long usedThisMonth, Instant resetsAt) {

    /** Tokens the user may still use this month. */
    public long remaining() {
        return Math.max(0, tokensPerMonth - usedThisMonth);
    }
}
