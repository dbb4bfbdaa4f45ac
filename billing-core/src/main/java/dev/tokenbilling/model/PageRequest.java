package dev.tokenbilling.model;

import dev.tokenbilling.error.InvalidRequestException;
import java.util.Optional;

/**
 * Keyset pagination: a page size and the opaque cursor from the previous page's
 * {@link Page#nextCursor()}. Stable while new rows arrive, and as fast on page 1,000 as on page 1.
 */
public record PageRequest(int limit, Optional<String> cursor) {

    public static final int MAX_LIMIT = 1000;

    public PageRequest {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new InvalidRequestException("limit", "must be between 1 and " + MAX_LIMIT + ", was " + limit);
        }
    }

    public static PageRequest first(int limit) {
        return new PageRequest(limit, Optional.empty());
    }

    public static PageRequest after(String cursor, int limit) {
        return new PageRequest(limit, Optional.of(cursor));
    }
}
