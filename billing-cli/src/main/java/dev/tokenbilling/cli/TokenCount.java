package dev.tokenbilling.cli;

import java.math.BigDecimal;
import java.util.Locale;
import picocli.CommandLine;

/** Token counts as typed: {@code 500000}, {@code 500,000}, {@code 500_000}, {@code 500k}, {@code 1.5m}; signed for adjustments. */
public final class TokenCount {

    private TokenCount() {}

    public static long parse(String text) {
        String value = text.trim().toLowerCase(Locale.ROOT).replace(",", "").replace("_", "");
        long factor = 1;
        if (value.endsWith("k")) {
            factor = 1_000;
        } else if (value.endsWith("m")) {
            factor = 1_000_000;
        }
        if (factor != 1) {
            value = value.substring(0, value.length() - 1);
        }
        try {
            return new BigDecimal(value).multiply(BigDecimal.valueOf(factor)).longValueExact();
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException(
                    "'" + text + "' is not a whole number of tokens, e.g. 500000, 500,000 or 500k");
        }
    }

    /** The picocli converter. */
    public static final class Converter implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
