package dev.tokenbilling.model;

/**
 * Tokens credited outside a purchase (a promotion, a support gesture), once per {@code key}, as a
 * lot on {@code terms} (default: never expires, priority 0).
 *
 * <pre>{@code
 * Grant.of(UserId.of("42"), 10_000, IdempotencyKey.of("welcome-42"), "Welcome bonus")
 *     .withTerms(LotTerms.expiringAt(Instant.parse("2027-01-01T00:00:00Z")).withPriority(-1))
 * }</pre>
 */
public record Grant(UserId userId, long tokens, IdempotencyKey key, String reason, LotTerms terms) {

    public Grant {
        Text.notNull("userId", userId);
        Text.positiveTokens("tokens", tokens);
        Text.notNull("idempotencyKey", key);
        reason = Text.required("reason", reason);
        Text.notNull("terms", terms);
    }

    public static Grant of(UserId userId, long tokens, IdempotencyKey key, String reason) {
        return new Grant(userId, tokens, key, reason, LotTerms.DEFAULT);
    }

    public Grant withTerms(LotTerms newTerms) {
        return new Grant(userId, tokens, key, reason, newTerms);
    }
}
