package dev.tokenbilling.error;

/** Caps what an error message repeats of the caller's input, so a huge value is never echoed back. */
final class Echo {

    static final int MAX_ECHO = 64;

    private Echo() {}

    static String cap(String input) {
        if (input == null) {
            return "null";
        }
        return input.length() <= MAX_ECHO ? input : input.substring(0, MAX_ECHO) + "…";
    }
}
