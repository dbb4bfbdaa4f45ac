package dev.tokenbilling.cli;

import java.util.Locale;
import picocli.CommandLine;

/** {@code --output table|json|csv}. */
public enum OutputFormat {
    TABLE,
    JSON,
    CSV;

    /** Case-insensitive converter with a usage error listing the choices. */
    public static final class Converter implements CommandLine.ITypeConverter<OutputFormat> {
        @Override
        public OutputFormat convert(String value) {
            for (OutputFormat format : values()) {
                if (format.name().equalsIgnoreCase(value.trim())) {
                    return format;
                }
            }
            throw new CommandLine.TypeConversionException(
                    "'" + value + "' is not an output format: use table, json or csv");
        }
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
