package dev.tokenbilling.error;

/**
 * How much of a caller's input an error may repeat: at most {@value #MAX_LENGTH} characters of one
 * value, cut with "…", so a huge value is never echoed back. Exception messages and the Spring
 * starter's problem bodies both cut here.
 */
public final class Echo {

    /** Most characters of one caller value that an error repeats. */
    public static final int MAX_LENGTH = 64;

    private static final String ELLIPSIS = "…";

    private Echo() {}

    /** The value as an error may quote it: its first {@value #MAX_LENGTH} characters. */
    public static String cap(String value) {
        return value == null ? "null" : cap(value, MAX_LENGTH);
    }

    /** {@code text} cut to {@code max} characters (never splitting a surrogate pair) and "…", or unchanged when short enough. */
    public static String cap(String text, int max) {
        if (text == null || text.length() <= max) {
            return text;
        }
        int end = Character.isHighSurrogate(text.charAt(max - 1)) ? max - 1 : max;
        return text.substring(0, end) + ELLIPSIS;
    }
}
