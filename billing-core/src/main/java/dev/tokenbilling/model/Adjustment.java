package dev.tokenbilling.model;

import dev.tokenbilling.error.InvalidRequestException;

/**
 * An operator's correction of either sign, once per {@code key}: positive credits, negative debits
 * (never more than the available balance).
 */
public record Adjustment(UserId userId, long signedTokens, IdempotencyKey key, String reason) {

    public Adjustment {
        Text.notNull("userId", userId);
        if (signedTokens == 0 || signedTokens == Long.MIN_VALUE) {
            throw new InvalidRequestException("tokens", "must be a non-zero number of tokens, was " + signedTokens);
        }
        Text.notNull("idempotencyKey", key);
        reason = Text.required("reason", reason);
    }

    public static Adjustment of(UserId userId, long signedTokens, IdempotencyKey key, String reason) {
        return new Adjustment(userId, signedTokens, key, reason);
    }

    public boolean credit() {
        return signedTokens > 0;
    }
}
