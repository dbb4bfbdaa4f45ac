package dev.tokenbilling.model;

import dev.tokenbilling.error.InvalidRequestException;
import java.time.Duration;

/**
 * A hold on up to {@code maxTokens} for a request in flight (a streamed completion), once per
 * {@code key}, released automatically after {@code ttl} (at most {@link #MAX_TTL}).
 */
public record ReservationRequest(UserId userId, long maxTokens, Duration ttl, IdempotencyKey key, String description) {

    /** The longest a hold may live. */
    public static final Duration MAX_TTL = Duration.ofDays(7);

    public ReservationRequest {
        Text.notNull("userId", userId);
        Text.positiveTokens("maxTokens", maxTokens);
        Text.notNull("ttl", ttl);
        if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(MAX_TTL) > 0) {
            throw new InvalidRequestException("ttl", "must be positive and at most " + MAX_TTL + ", was " + ttl);
        }
        Text.notNull("idempotencyKey", key);
        description = Text.optional("description", description);
    }

    public static ReservationRequest of(UserId userId, long maxTokens, Duration ttl, IdempotencyKey key) {
        return new ReservationRequest(userId, maxTokens, ttl, key, "");
    }

    public ReservationRequest withDescription(String newDescription) {
        return new ReservationRequest(userId, maxTokens, ttl, key, newDescription);
    }
}
