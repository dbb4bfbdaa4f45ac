package dev.tokenbilling.cli;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import picocli.CommandLine;

/**
 * Points in time as operators type them: ISO-8601 with a zone ({@code 2025-04-01T00:00:00Z},
 * {@code 2025-04-01T09:00:00+02:00}) or a date ({@code 2025-04-01}, midnight UTC).
 */
public final class Timestamps {

    static final String EXPECTED =
            "use ISO-8601, e.g. 2025-04-01T00:00:00Z, 2025-04-01T09:00:00+02:00 or 2025-04-01 (midnight UTC)";

    private Timestamps() {}

    /** Parses a point in time or throws {@link IllegalArgumentException} saying what is expected. */
    public static Instant parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty time: " + EXPECTED);
        }
        String value = text.trim();
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException notOffset) {
            try {
                return LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant();
            } catch (DateTimeParseException notDate) {
                throw new IllegalArgumentException("'" + text + "' is not a time with a zone: " + EXPECTED);
            }
        }
    }

    /** The picocli converter: a bad value becomes a usage error naming the option. */
    public static final class Converter implements CommandLine.ITypeConverter<Instant> {
        @Override
        public Instant convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
