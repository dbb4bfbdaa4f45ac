package dev.tokenbilling.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/** Durations as operators type them: {@code 30s}, {@code 15m}, {@code 1h}, {@code 3d}, {@code 2w}, {@code 1h30m}, or ISO {@code PT15M}. */
public final class Durations {

    private static final Pattern WHOLE = Pattern.compile("(\\d+\\s*[a-z]+\\s*)+");
    private static final Pattern PART = Pattern.compile("(\\d+)\\s*([a-z]+)");
    static final String EXPECTED = "use a number and a unit, e.g. 30s, 15m, 1h, 3d (units: s, m, h, d, w)";

    private Durations() {}

    /** Parses a duration or throws {@link IllegalArgumentException} with a message that says what is expected. */
    public static Duration parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty duration: " + EXPECTED);
        }
        String value = text.trim().toLowerCase(Locale.ROOT);
        if (value.startsWith("p")) {
            try {
                return nonNegative(text, Duration.parse(value.toUpperCase(Locale.ROOT)));
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("'" + text + "' is not a duration: " + EXPECTED);
            }
        }
        if (!WHOLE.matcher(value).matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration: " + EXPECTED);
        }
        Duration total = Duration.ZERO;
        Matcher part = PART.matcher(value);
        while (part.find()) {
            long amount;
            try {
                amount = Long.parseLong(part.group(1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + text + "' is too long a duration");
            }
            try {
                total = total.plus(
                        switch (part.group(2)) {
                            case "s", "sec", "secs", "second", "seconds" -> Duration.ofSeconds(amount);
                            case "m", "min", "mins", "minute", "minutes" -> Duration.ofMinutes(amount);
                            case "h", "hr", "hrs", "hour", "hours" -> Duration.ofHours(amount);
                            case "d", "day", "days" -> Duration.ofDays(amount);
                            case "w", "week", "weeks" -> Duration.ofDays(Math.multiplyExact(amount, 7));
                            default ->
                                throw new IllegalArgumentException(
                                        "'" + text + "' has an unknown unit '" + part.group(2) + "': " + EXPECTED);
                        });
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("'" + text + "' is too long a duration");
            }
        }
        return total;
    }

    private static Duration nonNegative(String text, Duration duration) {
        if (duration.isNegative()) {
            throw new IllegalArgumentException("'" + text + "' is negative: " + EXPECTED);
        }
        return duration;
    }

    /** Short human form: {@code 45s}, {@code 15m}, {@code 3h}, {@code 2d}. */
    public static String format(Duration duration) {
        long seconds = Math.max(0, duration.getSeconds());
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3600) {
            return seconds / 60 + "m";
        }
        if (seconds < 86_400) {
            return seconds / 3600 + "h";
        }
        return seconds / 86_400 + "d";
    }

    /** The picocli converter: a bad value becomes a usage error naming the option. */
    public static final class Converter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
