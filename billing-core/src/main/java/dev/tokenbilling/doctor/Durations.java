package dev.tokenbilling.doctor;

import java.time.Duration;

/** A window as the CLI's options take it: {@code 15m}, {@code 2h}, {@code 3d}, {@code 90s}. */
final class Durations {

    private Durations() {}

    static String format(Duration duration) {
        long seconds = duration.getSeconds();
        if (seconds % 86_400 == 0) {
            return seconds / 86_400 + "d";
        }
        if (seconds % 3_600 == 0) {
            return seconds / 3_600 + "h";
        }
        if (seconds % 60 == 0) {
            return seconds / 60 + "m";
        }
        return seconds + "s";
    }
}
