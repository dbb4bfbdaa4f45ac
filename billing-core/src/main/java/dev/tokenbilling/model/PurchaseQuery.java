package dev.tokenbilling.model;

import dev.tokenbilling.error.InvalidRequestException;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * A filter over purchases, newest first. Every part is optional; {@code createdBefore} selects
 * purchases older than a moment (the CLI's {@code --older-than 15m}).
 */
public record PurchaseQuery(
        Set<PurchaseStatus> statuses, Optional<UserId> userId, Optional<Instant> createdBefore, int limit) {

    public static final int MAX_LIMIT = 10_000;

    public PurchaseQuery {
        statuses = Set.copyOf(statuses);
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new InvalidRequestException("limit", "must be between 1 and " + MAX_LIMIT + ", was " + limit);
        }
    }

    public static PurchaseQuery all(int limit) {
        return new PurchaseQuery(Set.of(), Optional.empty(), Optional.empty(), limit);
    }

    public PurchaseQuery withStatus(PurchaseStatus... wanted) {
        return new PurchaseQuery(Set.of(wanted), userId, createdBefore, limit);
    }

    public PurchaseQuery forUser(UserId user) {
        return new PurchaseQuery(statuses, Optional.of(user), createdBefore, limit);
    }

    public PurchaseQuery createdBefore(Instant moment) {
        return new PurchaseQuery(statuses, userId, Optional.of(moment), limit);
    }
}
