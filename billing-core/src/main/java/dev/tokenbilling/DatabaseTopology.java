package dev.tokenbilling;

/**
 * How the billing tables are laid out on the database server(s). The API and its guarantees are the
 * same in both; only the schema's placement and some statements differ.
 */
public enum DatabaseTopology {

    /** One PostgreSQL server (with or without replicas): the default. */
    POSTGRESQL,

    /**
     * A Citus cluster: the library connects to the coordinator, distributes every per-user table by
     * {@code user_id} (co-located, so a user's rows share one shard) and Stripe's webhook events by
     * their id, keeps the catalog and the settings as reference tables, and has each posting function
     * run on the worker that holds the user. The cluster's shard count is chosen when the schema is first distributed
     * ({@code citus.shard_count}); workers are added and shards moved with Citus's own functions.
     */
    CITUS;

    /** The setting's value as written in configuration ({@code postgresql}, {@code citus}). */
    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The topology named {@code value} (case-insensitive). */
    public static DatabaseTopology fromWireName(String value) {
        for (DatabaseTopology topology : values()) {
            if (topology.wireName().equalsIgnoreCase(value == null ? "" : value.trim())) {
                return topology;
            }
        }
        throw new IllegalArgumentException("unknown database topology '" + value + "': use postgresql or citus");
    }
}
