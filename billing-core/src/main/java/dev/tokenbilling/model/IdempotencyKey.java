package dev.tokenbilling.model;

import dev.tokenbilling.error.InvalidRequestException;

/**
 * A caller's idempotency key: the id of the request that caused a posting (an API request id, a
 * job id), so a retry of the same request changes nothing. Scoped to the user. A type of its own so
 * that a key can never be passed where a description or reason is expected.
 *
 * <p>Keys the library makes for its own postings (refunds, disputes, settlements, expiry, voids)
 * live in a separate key space, so no caller's key can ever collide with one.
 */
public record IdempotencyKey(String value) {

    public static final int MAX_LENGTH = 255;

    public IdempotencyKey {
        if (value == null || value.isBlank()) {
            throw new InvalidRequestException(
                    "idempotencyKey", "must not be blank (use the id of the request that caused the posting)");
        }
        if (value.length() > MAX_LENGTH) {
            throw new InvalidRequestException(
                    "idempotencyKey", "must be at most " + MAX_LENGTH + " characters, was " + value.length());
        }
    }

    public static IdempotencyKey of(String value) {
        return new IdempotencyKey(value);
    }

    @Override
    public String toString() {
        return value;
    }
}
