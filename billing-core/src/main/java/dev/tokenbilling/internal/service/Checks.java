package dev.tokenbilling.internal.service;

import dev.tokenbilling.error.InvalidRequestException;

/** Argument checks of the services; each failure names the field and changes nothing. */
final class Checks {

    private Checks() {}

    static <T> T notNull(String field, T value) {
        if (value == null) {
            throw new InvalidRequestException(field, "must not be null");
        }
        return value;
    }

    static int limit(int limit, int max) {
        if (limit < 1 || limit > max) {
            throw new InvalidRequestException("limit", "must be between 1 and " + max + ", was " + limit);
        }
        return limit;
    }
}
