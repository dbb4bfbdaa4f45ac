package dev.tokenbilling.model;

import dev.tokenbilling.error.InvalidRequestException;

/** Checks of the free text that requests carry (descriptions, reasons); each failure names the field. */
public final class Text {

    /** The longest description or reason accepted. */
    public static final int MAX_LENGTH = 1000;

    private Text() {}

    /** Optional free text: null becomes empty; longer than {@value #MAX_LENGTH} is refused. */
    public static String optional(String field, String text) {
        if (text == null) {
            return "";
        }
        if (text.length() > MAX_LENGTH) {
            throw new InvalidRequestException(
                    field, "must be at most " + MAX_LENGTH + " characters, was " + text.length());
        }
        return text;
    }

    /** Required free text such as an admin's reason. */
    public static String required(String field, String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidRequestException(field, "must not be blank");
        }
        return optional(field, text);
    }

    static <T> T notNull(String field, T value) {
        if (value == null) {
            throw new InvalidRequestException(field, "must not be null");
        }
        return value;
    }

    static long positiveTokens(String field, long tokens) {
        if (tokens <= 0) {
            throw new InvalidRequestException(field, "must be a positive number of tokens, was " + tokens);
        }
        return tokens;
    }
}
