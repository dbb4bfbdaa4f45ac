package dev.tokenbilling.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenbilling.error.StoreUnavailableException;
import dev.tokenbilling.internal.postgres.CitusLayout;
import dev.tokenbilling.model.Debit;
import dev.tokenbilling.model.Grant;
import dev.tokenbilling.model.IdempotencyKey;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.support.BillingFixture;
import dev.tokenbilling.support.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What only a Citus cluster shows: the layout the library gives the schema, and a shard moved between
 * workers while debits run. The rest of this module's suite runs on the cluster too when
 * {@code BILLING_TEST_CITUS_URL} names its coordinator; without it these tests are skipped, and say so.
 */
class CitusClusterTest {

    private static final int USERS = 40;
    private static final long GRANTED = 1_000_000;

    @BeforeAll
    static void requireCluster() {
        if (TestDatabase.citusUrl() == null) {
            System.out.println("CitusClusterTest skipped: " + TestDatabase.CITUS_URL_VARIABLE
                    + " is not set (e.g. jdbc:postgresql://localhost:9700/billing?user=postgres for a Citus"
                    + " coordinator); the integration suite ran on plain PostgreSQL");
        }
        Assumptions.assumeTrue(
                TestDatabase.citusUrl() != null,
                TestDatabase.CITUS_URL_VARIABLE + " is not set: the Citus tests are skipped");
    }

    @Test
    void shouldDistributeUserTablesCoLocatedAndDelegatePostingsByUser() throws SQLException {
        BillingFixture fixture = BillingFixture.create(CitusClusterTest.class);

        Map<String, String> placement = new java.util.HashMap<>();
        try (Connection connection = fixture.dataSource.getConnection();
                PreparedStatement query =
                        connection.prepareStatement("SELECT c.relname, p.partmethod FROM pg_dist_partition p"
                                + " JOIN pg_class c ON c.oid = p.logicalrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
                                + " WHERE n.nspname = ?")) {
            query.setString(1, fixture.schema);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    placement.put(rows.getString(1), rows.getString(2));
                }
            }
        }
        CitusLayout.USER_TABLES.forEach(table -> assertThat(placement).containsEntry(table, "h"));
        CitusLayout.REFERENCE_TABLES.forEach(table -> assertThat(placement).containsEntry(table, "n"));
        assertThat(placement).containsEntry(CitusLayout.EVENTS_TABLE, "h");
        assertThat(colocationGroups(fixture, CitusLayout.USER_TABLES))
                .as("co-located")
                .isEqualTo(1);
        assertThat(delegatedFunctions(fixture))
                .contains("ledger_credit", "ledger_debit", "reservation_reserve", "reservation_end", "lot_close");
    }

    @Test
    void shouldLoseAndDoubleNothingWhileAShardMovesBetweenWorkers() throws Exception {
        BillingFixture fixture = BillingFixture.create(CitusClusterTest.class);
        List<UserId> users = new ArrayList<>();
        for (int i = 0; i < USERS; i++) {
            UserId user = UserId.of("mover-" + i);
            users.add(user);
            fixture.service.ledger().grant(Grant.of(user, GRANTED, IdempotencyKey.of("grant-" + i), "start"));
        }
        Shard shard = firstShard(fixture);
        String target = otherWorker(fixture, shard);

        Map<String, Long> posted = new ConcurrentHashMap<>();
        AtomicBoolean moving = new AtomicBoolean(true);
        AtomicInteger retries = new AtomicInteger();
        ExecutorService threads = Executors.newFixedThreadPool(4);
        List<Future<?>> debiting = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            int thread = t;
            debiting.add(threads.submit(() -> {
                for (int n = 0; moving.get() || n < 50; n++) {
                    UserId user = users.get(ThreadLocalRandom.current().nextInt(USERS));
                    long tokens = 1 + ThreadLocalRandom.current().nextInt(9);
                    String key = "debit-" + thread + "-" + n;
                    // A debit that fails while its shard moves is retried with the same key: at most once.
                    for (int attempt = 1; ; attempt++) {
                        try {
                            fixture.service.ledger().debit(Debit.of(user, tokens, IdempotencyKey.of(key)));
                            posted.put(user.value() + "/" + key, tokens);
                            break;
                        } catch (StoreUnavailableException e) {
                            retries.incrementAndGet();
                            if (attempt == 50) {
                                throw e;
                            }
                            Thread.sleep(100);
                        }
                    }
                }
                return null;
            }));
        }
        try (Connection connection = fixture.dataSource.getConnection();
                PreparedStatement move = connection.prepareStatement(
                        "SELECT citus_move_shard_placement(?, ?, ?, ?, ?, shard_transfer_mode := 'block_writes')")) {
            Thread.sleep(300);
            long started = System.nanoTime();
            move.setLong(1, shard.id());
            move.setString(2, shard.host());
            move.setInt(3, shard.port());
            move.setString(4, target.substring(0, target.lastIndexOf(':')));
            move.setInt(5, Integer.parseInt(target.substring(target.lastIndexOf(':') + 1)));
            move.execute();
            System.out.printf(
                    "moved shard %d from %s to %s in %d ms while debits ran%n",
                    shard.id(), shard.node(), target, (System.nanoTime() - started) / 1_000_000);
        } finally {
            moving.set(false);
        }
        for (Future<?> thread : debiting) {
            thread.get(2, TimeUnit.MINUTES);
        }
        threads.shutdown();
        System.out.printf(
                "%d debits posted, %d attempts retried after a transient error%n", posted.size(), retries.get());

        assertThat(firstShard(fixture).node()).as("the shard moved").isEqualTo(target);
        long usedByUser = 0;
        for (UserId user : users) {
            long used = posted.entrySet().stream()
                    .filter(e -> e.getKey().startsWith(user.value() + "/"))
                    .mapToLong(Map.Entry::getValue)
                    .sum();
            usedByUser += used;
            assertThat(fixture.service.ledger().balance(user).balance())
                    .as("balance of %s", user.value())
                    .isEqualTo(GRANTED - used);
        }
        assertThat(usedByUser).isPositive();
        assertThat(ledgerEntries(fixture))
                .as("one entry per grant and per posted debit")
                .isEqualTo(USERS + posted.size());
        fixture.assertLedgerInvariants();
    }

    private record Shard(long id, String host, int port) {
        String node() {
            return host + ":" + port;
        }
    }

    private static Shard firstShard(BillingFixture fixture) throws SQLException {
        try (Connection connection = fixture.dataSource.getConnection();
                PreparedStatement query = connection.prepareStatement(
                        "SELECT shardid, nodename, nodeport FROM citus_shards WHERE table_name = CAST(? AS regclass)"
                                + " ORDER BY shardid LIMIT 1")) {
            query.setString(1, fixture.schema + ".token_balance");
            try (ResultSet rows = query.executeQuery()) {
                assertThat(rows.next()).isTrue();
                return new Shard(rows.getLong(1), rows.getString(2), rows.getInt(3));
            }
        }
    }

    private static String otherWorker(BillingFixture fixture, Shard shard) throws SQLException {
        try (Connection connection = fixture.dataSource.getConnection();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(
                        "SELECT node_name, node_port FROM citus_get_active_worker_nodes() ORDER BY node_port")) {
            while (rows.next()) {
                String node = rows.getString(1) + ":" + rows.getInt(2);
                if (!node.equals(shard.node())) {
                    return node;
                }
            }
        }
        Assumptions.abort("the cluster needs two workers to move a shard between them");
        return null;
    }

    private static int colocationGroups(BillingFixture fixture, List<String> tables) throws SQLException {
        try (Connection connection = fixture.dataSource.getConnection();
                PreparedStatement query = connection.prepareStatement(
                        "SELECT count(DISTINCT p.colocationid) FROM pg_dist_partition p JOIN pg_class c ON c.oid = p.logicalrelid"
                                + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relname = ANY(?)")) {
            query.setString(1, fixture.schema);
            query.setArray(2, connection.createArrayOf("text", tables.toArray()));
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        }
    }

    private static List<String> delegatedFunctions(BillingFixture fixture) throws SQLException {
        List<String> names = new ArrayList<>();
        try (Connection connection = fixture.dataSource.getConnection();
                PreparedStatement query = connection.prepareStatement(
                        "SELECT p.proname FROM pg_dist_object o JOIN pg_proc p ON p.oid = o.objid"
                                + " JOIN pg_namespace n ON n.oid = p.pronamespace"
                                + " WHERE o.classid = 'pg_proc'::regclass AND n.nspname = ? AND o.distribution_argument_index = 0")) {
            query.setString(1, fixture.schema);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    names.add(rows.getString(1));
                }
            }
        }
        return names;
    }

    private static long ledgerEntries(BillingFixture fixture) throws SQLException {
        try (Connection connection = fixture.dataSource.getConnection();
                Statement statement = connection.createStatement();
                ResultSet rows =
                        statement.executeQuery("SELECT count(*) FROM " + fixture.schema + ".token_transaction")) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
