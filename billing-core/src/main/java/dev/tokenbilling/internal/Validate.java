package dev.tokenbilling.internal;

import dev.tokenbilling.error.InvalidRequestException;

/** Argument checks shared by the facade; each failure names the field and changes nothing. */
public final class Validate {

    public static final int MAX_KEY_LENGTH = 255;
    public static final int MAX_TEXT_LENGTH = 1000;

    private Validate() {
    }

    public static long positiveTokens(String field, long tokens) {
        if (tokens <= 0) {
            throw new InvalidRequestException(field, "must be a positive number of tokens, was " + tokens);
        }
        return tokens;
    }

    public static String idempotencyKey(String key) {
        if (key == null || key.isBlank()) {
            throw new InvalidRequestException("idempotencyKey", "must not be blank (use the request id that caused the debit)");
        }
        if (key.length() > MAX_KEY_LENGTH) {
            throw new InvalidRequestException("idempotencyKey", "must be at most " + MAX_KEY_LENGTH + " characters, was " + key.length());
        }
        return key;
    }

    /** Optional free text: null becomes empty; longer than {@value #MAX_TEXT_LENGTH} is refused. */
    public static String text(String field, String text) {
        if (text == null) {
            return "";
        }
        if (text.length() > MAX_TEXT_LENGTH) {
            throw new InvalidRequestException(field, "must be at most " + MAX_TEXT_LENGTH + " characters, was " + text.length());
        }
        return text;
    }

    /** Required free text such as an admin's reason. */
    public static String requiredText(String field, String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidRequestException(field, "must not be blank");
        }
        return text(field, text);
    }

    public static <T> T notNull(String field, T value) {
        if (value == null) {
            throw new InvalidRequestException(field, "must not be null");
        }
        return value;
    }
}
