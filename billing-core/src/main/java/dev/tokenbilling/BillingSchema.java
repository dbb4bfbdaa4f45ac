package dev.tokenbilling;

import dev.tokenbilling.doctor.SchemaStatus;
import dev.tokenbilling.error.BillingError;
import dev.tokenbilling.error.BillingException;
import dev.tokenbilling.error.InvalidRequestException;
import dev.tokenbilling.error.StoreUnavailableException;
import dev.tokenbilling.internal.postgres.CitusLayout;
import dev.tokenbilling.internal.postgres.SchemaName;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
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

    /**
     * The version of the newest migration under {@value #MIGRATIONS_LOCATION}:
     * what {@link #isCurrent(DataSource, String)} expects. A test keeps it equal to the newest file.
     */
    public static final int LATEST_VERSION = 13;

    private final DataSource dataSource;
    private final String schema;
    private final DatabaseTopology topology;
    private Flyway flyway;

    private BillingSchema(DataSource dataSource, String schema, DatabaseTopology topology) {
        this.schema = new SchemaName(schema).value();
        this.dataSource = dataSource;
        this.topology = java.util.Objects.requireNonNull(topology, "topology");
    }

    /** Flyway is configured on first use only: loading it costs a short-lived process more than the check it saves. */
    private synchronized Flyway flyway() {
        if (flyway == null) {
            flyway = Flyway.configure(BillingSchema.class.getClassLoader())
                    .dataSource(dataSource)
                    .schemas(schema)
                    .defaultSchema(schema)
                    .createSchemas(true)
                    .table(HISTORY_TABLE)
                    .locations(MIGRATIONS_LOCATION)
                    .cleanDisabled(true)
                    .load();
        }
        return flyway;
    }

    /**
     * Whether the schema is already at this library's version, with one cheap query and without
     * Flyway: every migration in the history table succeeded and the newest is {@link #LATEST_VERSION}.
     * False when the schema or its history table does not exist, or the database cannot be reached;
     * {@link #migrate()} then does the full work (and reports what is wrong). It does not check the
     * applied migrations' checksums: {@link #migrate()} and {@link #pending()} do.
     */
    public static boolean isCurrent(DataSource dataSource, String schema) {
        return isCurrent(dataSource, schema, DatabaseTopology.POSTGRESQL);
    }

    /** {@link #isCurrent(DataSource, String)}, and on Citus also laid out on the cluster. */
    public static boolean isCurrent(DataSource dataSource, String schema, DatabaseTopology topology) {
        String name;
        try {
            name = new SchemaName(schema).value();
        } catch (InvalidRequestException e) {
            return false; // refused with its code where the schema is used
        }
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(
                        "SELECT version, success FROM " + name + "." + HISTORY_TABLE + " WHERE version IS NOT NULL")) {
            int newest = -1;
            while (rows.next()) {
                if (!rows.getBoolean(2)) {
                    return false;
                }
                try {
                    newest = Math.max(newest, Integer.parseInt(rows.getString(1).trim()));
                } catch (NumberFormatException e) {
                    return false;
                }
            }
            return newest == LATEST_VERSION
                    && (topology != DatabaseTopology.CITUS || CitusLayout.isApplied(connection, name));
        } catch (SQLException e) {
            return false;
        }
    }

    public static BillingSchema of(DataSource dataSource, String schema) {
        return new BillingSchema(dataSource, schema, DatabaseTopology.POSTGRESQL);
    }

    /** The schema laid out as {@code topology} says: on Citus, {@link #migrate()} also distributes it. */
    public static BillingSchema of(DataSource dataSource, String schema, DatabaseTopology topology) {
        return new BillingSchema(dataSource, schema, topology);
    }

    /**
     * Applies pending migrations (safe to call from many instances at once); returns how many ran. On
     * Citus, then distributes what is not distributed yet (see {@link DatabaseTopology#CITUS}).
     */
    public int migrate() {
        if (topology == DatabaseTopology.CITUS) {
            CitusLayout.requireCitus(dataSource); // before any change: a plain server is refused untouched
        }
        int executed;
        try {
            executed = flyway().migrate().migrationsExecuted;
        } catch (org.flywaydb.core.api.FlywayException e) {
            throw unavailableIfConnectionFailed(e);
        }
        if (topology == DatabaseTopology.CITUS) {
            CitusLayout.apply(dataSource, schema);
        }
        return executed;
    }

    private static RuntimeException unavailableIfConnectionFailed(org.flywaydb.core.api.FlywayException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql
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
            return Arrays.stream(flyway().info().pending())
                    .map(BillingSchema::describe)
                    .toList();
        } catch (org.flywaydb.core.api.FlywayException e) {
            throw unavailableIfConnectionFailed(e);
        }
    }

    /** The version the schema is at, empty before the first migration. */
    public Optional<String> currentVersion() {
        try {
            MigrationInfo current = flyway().info().current();
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
