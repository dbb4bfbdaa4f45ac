package dev.tokenbilling.internal.postgres;

import dev.tokenbilling.error.BillingError;
import dev.tokenbilling.error.BillingException;
import dev.tokenbilling.error.StoreUnavailableException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.sql.DataSource;

/**
 * Lays the migrated schema out on a Citus cluster, after the migrations (which create plain tables on
 * the coordinator) and again after each later one: idempotent, and serialized between processes by an
 * advisory lock. Per-user tables are distributed by {@code user_id} and co-located with
 * {@code token_balance}; Stripe's events by their id; the others become reference tables (a copy on
 * every node); every function is
 * propagated to the workers, and those whose first argument names the user run on the worker that
 * holds that user ({@code create_distributed_function}), so a posting stays one round trip.
 */
public final class CitusLayout {

    /** Distributed by user_id, in an order that distributes every table before the tables referring to it. */
    public static final List<String> USER_TABLES = List.of(
            "token_balance",
            "token_purchase",
            "purchase_reversal",
            "token_transaction",
            "token_lot",
            "token_reservation",
            "billing_customer",
            "user_subscription",
            "billing_event",
            "recharge_rule",
            "recharge_attempt");

    /** Small shared tables, copied to every node. */
    public static final List<String> REFERENCE_TABLES =
            List.of("token_package", "subscription_tier", "billing_setting");

    /**
     * Stripe's events, distributed by their own id (not co-located with users): every event is written
     * and locked on its own shard, where a reference table would serialize all writes across the nodes.
     */
    public static final String EVENTS_TABLE = "webhook_event";

    /** The table every per-user table is co-located with. */
    static final String ANCHOR = "token_balance";

    /** Arguments that name the user a function works on: Citus runs the call where that user lives. */
    private static final Set<String> ROUTING_ARGUMENTS = Set.of("p_user", "p_route");

    private static final long LOCK_KEY = 0x7462_6369_7475_73L; // "tbcitus"

    private CitusLayout() {}

    /** Distributes what is not distributed yet; a no-op on a schema laid out before. */
    public static void apply(DataSource dataSource, String schema) {
        SchemaName name = new SchemaName(schema);
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(true);
            requireCitus(connection);
            try (Statement statement = connection.createStatement()) {
                statement.execute("SELECT pg_advisory_lock(" + LOCK_KEY + ")");
                try {
                    // The ledger's append-only trigger and the balance-crossing trigger run on the shards:
                    // they only touch rows of the user whose row fired them, which live on the same shard.
                    statement.execute("SET citus.enable_unsafe_triggers = on");
                    layOut(connection, name);
                } finally {
                    statement.execute("SELECT pg_advisory_unlock(" + LOCK_KEY + ")");
                }
            }
        } catch (SQLException e) {
            if (StoreErrors.isTransient(e)) {
                throw new StoreUnavailableException(
                        "Database unavailable, Citus layout not applied: " + e.getMessage(), e);
            }
            throw new BillingException(
                    BillingError.SCHEMA_NOT_MIGRATED,
                    "The billing schema could not be distributed on Citus: " + e.getMessage(),
                    e);
        }
    }

    /** Whether every table of the schema is distributed or a reference table (one query; false on any error). */
    public static boolean isApplied(Connection connection, String schema) {
        SchemaName name = new SchemaName(schema);
        try {
            return placed(connection, name).size() == USER_TABLES.size() + REFERENCE_TABLES.size() + 1;
        } catch (SQLException e) {
            return false;
        }
    }

    /** Refuses a database without the citus extension ({@code INVALID_CONFIGURATION}). */
    public static void requireCitus(DataSource dataSource) {
        try (Connection connection = dataSource.getConnection()) {
            requireCitus(connection);
        } catch (SQLException e) {
            throw new StoreUnavailableException("Database unavailable: " + e.getMessage(), e);
        }
    }

    private static void requireCitus(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT 1 FROM pg_extension WHERE extname = 'citus'")) {
            if (!rows.next()) {
                throw new BillingException(
                        BillingError.INVALID_CONFIGURATION,
                        "topology citus: the citus extension is not installed in this database; connect to a Citus"
                                + " coordinator (CREATE EXTENSION citus) or use topology postgresql");
            }
        }
    }

    private static void layOut(Connection connection, SchemaName schema) throws SQLException {
        Set<String> placed = placed(connection, schema);
        List<String> userTables =
                USER_TABLES.stream().filter(t -> !placed.contains(t)).toList();
        List<String> referenceTables =
                REFERENCE_TABLES.stream().filter(t -> !placed.contains(t)).toList();
        // A plain table with a foreign key to a table made a reference table first would be turned into a
        // Citus local table; so such keys are dropped, the tables placed, and the keys added back.
        List<String[]> parked = foreignKeys(connection, schema, userTables, referenceTables);
        try (Statement statement = connection.createStatement()) {
            for (String[] key : parked) {
                statement.execute("ALTER TABLE " + qualified(schema, key[0]) + " DROP CONSTRAINT " + key[1]);
            }
            for (String table : userTables) {
                String colocate = table.equals(ANCHOR) ? "none" : qualified(schema, ANCHOR);
                call(
                        connection,
                        "SELECT create_distributed_table(?, 'user_id', colocate_with => ?)",
                        qualified(schema, table),
                        colocate);
            }
            if (!placed.contains(EVENTS_TABLE)) {
                call(
                        connection,
                        "SELECT create_distributed_table(?, 'id', colocate_with => 'none')",
                        qualified(schema, EVENTS_TABLE));
            }
            for (String table : referenceTables) {
                call(connection, "SELECT create_reference_table(?)", qualified(schema, table));
            }
            for (String[] key : parked) {
                statement.execute(
                        "ALTER TABLE " + qualified(schema, key[0]) + " ADD CONSTRAINT " + key[1] + " " + key[2]);
            }
        }
        distributeFunctions(connection, schema);
    }

    /** The schema's tables Citus knows (distributed or reference). */
    private static Set<String> placed(Connection connection, SchemaName schema) throws SQLException {
        Set<String> names = new HashSet<>();
        try (PreparedStatement query = connection.prepareStatement(
                "SELECT c.relname FROM pg_dist_partition p JOIN pg_class c ON c.oid = p.logicalrelid"
                        + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ?")) {
            query.setString(1, schema.value());
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    names.add(rows.getString(1));
                }
            }
        }
        return names;
    }

    /** Foreign keys from tables about to be distributed to tables about to become reference tables: table, name, definition. */
    private static List<String[]> foreignKeys(
            Connection connection, SchemaName schema, List<String> from, List<String> to) throws SQLException {
        List<String[]> keys = new ArrayList<>();
        if (from.isEmpty() || to.isEmpty()) {
            return keys;
        }
        try (PreparedStatement query = connection.prepareStatement(
                "SELECT r.relname, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c"
                        + " JOIN pg_class r ON r.oid = c.conrelid JOIN pg_class f ON f.oid = c.confrelid"
                        + " JOIN pg_namespace n ON n.oid = r.relnamespace"
                        + " WHERE c.contype = 'f' AND n.nspname = ? AND r.relname = ANY(?) AND f.relname = ANY(?)"
                        + " ORDER BY r.relname, c.conname")) {
            query.setString(1, schema.value());
            query.setArray(2, connection.createArrayOf("text", from.toArray()));
            query.setArray(3, connection.createArrayOf("text", to.toArray()));
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    keys.add(new String[] {rows.getString(1), rows.getString(2), rows.getString(3)});
                }
            }
        }
        return keys;
    }

    /** Every function of the schema on every node; those taking the user first run where the user lives. */
    private static void distributeFunctions(Connection connection, SchemaName schema) throws SQLException {
        List<String[]> functions = new ArrayList<>();
        try (PreparedStatement query =
                connection.prepareStatement("SELECT p.oid::regprocedure::text, p.proargnames[1] FROM pg_proc p"
                        + " JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = ?"
                        + " AND NOT EXISTS (SELECT 1 FROM pg_dist_object o WHERE o.classid = 'pg_proc'::regclass"
                        + "   AND o.objid = p.oid AND (o.distribution_argument_index IS NOT NULL"
                        + "     OR p.proargnames[1] IS NULL OR NOT p.proargnames[1] = ANY(?)))"
                        + " ORDER BY p.oid")) {
            query.setString(1, schema.value());
            query.setArray(2, connection.createArrayOf("text", ROUTING_ARGUMENTS.toArray()));
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    functions.add(new String[] {rows.getString(1), rows.getString(2)});
                }
            }
        }
        for (String[] function : functions) {
            if (function[1] != null && ROUTING_ARGUMENTS.contains(function[1])) {
                call(
                        connection,
                        "SELECT create_distributed_function(CAST(? AS regprocedure), ?, colocate_with => ?)",
                        function[0],
                        function[1],
                        qualified(schema, ANCHOR));
            } else {
                call(connection, "SELECT create_distributed_function(CAST(? AS regprocedure))", function[0]);
            }
        }
    }

    /** Runs one of Citus's functions with text arguments. */
    private static void call(Connection connection, String sql, String... arguments) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < arguments.length; i++) {
                statement.setString(i + 1, arguments[i]);
            }
            statement.execute();
        }
    }

    private static String qualified(SchemaName schema, String table) {
        return schema.value() + "." + table;
    }
}
