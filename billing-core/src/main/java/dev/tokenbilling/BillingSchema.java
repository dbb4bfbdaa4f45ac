package dev.tokenbilling;

import dev.tokenbilling.doctor.SchemaStatus;
import dev.tokenbilling.error.BillingError;
import dev.tokenbilling.error.BillingException;
import dev.tokenbilling.error.StoreUnavailableException;
import dev.tokenbilling.internal.postgres.SchemaName;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;

/**
 * The library's PostgreSQL schema and its migrations. They live in the jar under
 * {@value #MIGRATIONS_LOCATION} and keep their own history table ({@value #HISTORY_TABLE}), so they
 * never mix with the host application's own Flyway migrations. Hosts that manage DDL themselves use
 * {@value #CONSOLIDATED_DDL} instead.
 */
public final class BillingSchema {

    public static final String DEFAULT_SCHEMA = "billing";
    public static final String HISTORY_TABLE = "billing_schema_history";
    public static final String MIGRATIONS_LOCATION = "classpath:dev/tokenbilling/db/migration/postgresql";
    /** Classpath resource with the whole current schema in one file, in schema {@value #DEFAULT_SCHEMA}. */
    public static final String CONSOLIDATED_DDL = "dev/tokenbilling/db/schema-postgresql.sql";

    private final Flyway flyway;
    private final String schema;

    private BillingSchema(DataSource dataSource, String schema) {
        this.schema = new SchemaName(schema).value();
        this.flyway = Flyway.configure(BillingSchema.class.getClassLoader())
                .dataSource(dataSource)
                .schemas(this.schema)
                .defaultSchema(this.schema)
                .createSchemas(true)
                .table(HISTORY_TABLE)
                .locations(MIGRATIONS_LOCATION)
                .cleanDisabled(true)
                .load();
    }

    public static BillingSchema of(DataSource dataSource, String schema) {
        return new BillingSchema(dataSource, schema);
    }

    /** Applies pending migrations (safe to call from many instances at once); returns how many ran. */
    public int migrate() {
        try {
            return flyway.migrate().migrationsExecuted;
        } catch (org.flywaydb.core.api.FlywayException e) {
            throw unavailableIfConnectionFailed(e);
        }
    }

    private static RuntimeException unavailableIfConnectionFailed(org.flywaydb.core.api.FlywayException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof java.sql.SQLException sql
                    && (sql.getSQLState() == null || sql.getSQLState().startsWith("08"))) {
                return new StoreUnavailableException(
                        "Database unavailable, migrations not applied: " + sql.getMessage(), e);
            }
        }
        // A schema Flyway cannot bring to this version (a migration edited after it ran, one missing
        // from this jar, a failed one): say so with a code, never Flyway's exception alone.
        return new BillingException(
                BillingError.SCHEMA_NOT_MIGRATED,
                "The billing schema cannot be migrated to this version of the library: " + e.getMessage(),
                e);
    }

    /** Migrations not yet applied, as "version description". */
    public List<String> pending() {
        try {
            return Arrays.stream(flyway.info().pending())
                    .map(BillingSchema::describe)
                    .toList();
        } catch (org.flywaydb.core.api.FlywayException e) {
            throw unavailableIfConnectionFailed(e);
        }
    }

    /** The version the schema is at, empty before the first migration. */
    public Optional<String> currentVersion() {
        try {
            MigrationInfo current = flyway.info().current();
            return current == null || current.getVersion() == null
                    ? Optional.empty()
                    : Optional.of(current.getVersion().getVersion());
        } catch (org.flywaydb.core.api.FlywayException e) {
            throw unavailableIfConnectionFailed(e);
        }
    }

    /** Where the schema stands, for {@code billing doctor}: its version and the pending migrations. */
    public SchemaStatus status() {
        return new SchemaStatus(schema, currentVersion(), pending());
    }

    public String schema() {
        return schema;
    }

    private static String describe(MigrationInfo info) {
        return info.getVersion() + " " + info.getDescription();
    }
}
