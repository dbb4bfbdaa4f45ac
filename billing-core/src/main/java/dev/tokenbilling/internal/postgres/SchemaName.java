package dev.tokenbilling.internal.postgres;

import dev.tokenbilling.error.InvalidRequestException;
import java.util.regex.Pattern;

/** A validated PostgreSQL schema name; safe to splice into SQL because it is a plain identifier. */
public record SchemaName(String value) {

    private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    public SchemaName {
        if (value == null || !IDENTIFIER.matcher(value).matches()) {
            throw new InvalidRequestException(
                    "schema",
                    "must be a lower-case SQL identifier (letters, digits, '_', at most 63), was '" + value + "'");
        }
    }

    /** Replaces every {@code {schema}} in a SQL template with this schema. */
    String render(String sqlTemplate) {
        return sqlTemplate.replace("{schema}", value);
    }
}
