package dev.tokenbilling.model;

import dev.tokenbilling.error.InvalidRequestException;

/**
 * The host application's identifier of a user: an opaque, non-blank string of at most
 * {@value #MAX_LENGTH} characters. The library never interprets it.
 */
public record UserId(String value) {

    public static final int MAX_LENGTH = 255;

    public UserId {
        if (value == null || value.isBlank()) {
            throw new InvalidRequestException("userId", "must not be blank");
        }
        if (value.length() > MAX_LENGTH) {
            throw new InvalidRequestException(
                    "userId", "must be at most " + MAX_LENGTH + " characters, was " + value.length());
        }
    }

    public static UserId of(String value) {
        return new UserId(value);
    }

    @Override
    public String toString() {
        return value;
    }
}
