package dev.tokenbilling.model;

/**
 * One debit of metered usage, for {@code consumeBatch}. Validated when the batch runs, so one bad
 * item is reported in its own result instead of failing the batch.
 */
public record UsageRequest(UserId userId, long tokens, String idempotencyKey, String description) {

    public static UsageRequest of(String userId, long tokens, String idempotencyKey, String description) {
        return new UsageRequest(UserId.of(userId), tokens, idempotencyKey, description);
    }
}
