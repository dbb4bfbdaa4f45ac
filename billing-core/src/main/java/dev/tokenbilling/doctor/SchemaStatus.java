package dev.tokenbilling.doctor;

import java.util.List;
import java.util.Optional;

/**
 * Where the library's schema stands, for the database check: read from {@code BillingSchema}.
 *
 * @param schema  the schema's name
 * @param version the version it is at; empty before the first migration
 * @param pending migrations this version of the library has and the schema lacks, as "version description"
 */
public record SchemaStatus(String schema, Optional<String> version, List<String> pending) {

    public SchemaStatus {
        pending = List.copyOf(pending);
    }
}
