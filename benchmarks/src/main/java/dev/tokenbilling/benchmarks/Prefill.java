package dev.tokenbilling.benchmarks;

import java.io.PrintStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import javax.sql.DataSource;

/**
 * Makes a schema look like one that has been in use for a long time: other users' ledger entries and
 * purchases, written in bulk with {@code INSERT ... SELECT generate_series}, so that a benchmark
 * measures what the work costs as the tables grow. The rows keep every ledger invariant (the audit
 * stays sound): each filler user {@code fill-<n>} bought one package (a completed purchase, its
 * purchase credit and lot), then used one token per entry; the other purchases are pending, failed
 * or canceled ones, as a real shop piles them up.
 */
public final class Prefill {

    /** Ledger entries per filler user: a purchase credit, then usage. */
    public static final int ENTRIES_PER_USER = 100;
    /** Filler users written per statement, so progress shows and no transaction grows without end. */
    private static final int USERS_PER_CHUNK = 20_000;

    private final DataSource dataSource;
    private final String schema;
    private final PrintStream progress;

    public Prefill(DataSource dataSource, String schema, PrintStream progress) {
        this.dataSource = dataSource;
        this.schema = schema;
        this.progress = progress;
    }

    /**
     * Writes {@code entries} ledger entries ({@value #ENTRIES_PER_USER} per filler user) and
     * {@code purchases} purchases (at least one completed per filler user), then {@code VACUUM ANALYZE}.
     */
    public void fill(long entries, long purchases) throws SQLException {
        if (entries <= 0 && purchases <= 0) {
            return;
        }
        long started = System.nanoTime();
        long users = Math.max(1, entries / ENTRIES_PER_USER);
        try (Connection connection = dataSource.getConnection()) {
            for (long first = 1; first <= users; first += USERS_PER_CHUNK) {
                long last = Math.min(users, first + USERS_PER_CHUNK - 1);
                fillUsers(connection, first, last, entries > 0 ? ENTRIES_PER_USER : 0);
                progress.printf(
                        Locale.ROOT,
                        "prefill: %,d of %,d filler users (%,d entries each)%n",
                        last,
                        users,
                        entries > 0 ? ENTRIES_PER_USER : 0);
            }
            long others = purchases - users;
            if (others > 0) {
                otherPurchases(connection, users, others);
            }
            try (Statement vacuum = connection.createStatement()) {
                for (String table :
                        new String[] {"token_purchase", "token_transaction", "token_lot", "token_balance"}) {
                    vacuum.execute("VACUUM ANALYZE " + schema + "." + table);
                }
            }
        }
        progress.printf(
                Locale.ROOT,
                "prefill: %,d ledger entries and %,d purchases in %.1f s%n",
                users * (entries > 0 ? ENTRIES_PER_USER : 0),
                Math.max(purchases, users),
                (System.nanoTime() - started) / 1e9);
    }

    /** Filler users {@code first..last}: a completed purchase each, its credit and lot, then usage. */
    private void fillUsers(Connection connection, long first, long last, int entriesEach) throws SQLException {
        String s = schema;
        long bought = 10L * Math.max(entriesEach, 1);
        long used = Math.max(entriesEach - 1, 0);
        execute(
                connection,
                "INSERT INTO " + s
                        + ".token_purchase (user_id, package_id, package_slug, token_amount, amount_minor, currency,"
                        + " status, stripe_payment_intent_id, stripe_charge_id, created_at, updated_at, completed_at)"
                        + " SELECT 'fill-' || g, p.id, p.slug, " + bought + ", p.price_minor, p.currency, 'completed',"
                        + " 'pi_fill_' || g, 'ch_fill_' || g, now() - interval '400 days', now() - interval '400 days',"
                        + " now() - interval '400 days'"
                        + " FROM generate_series(?, ?) AS g CROSS JOIN (SELECT id, slug, price_minor, currency FROM "
                        + s
                        + ".token_package ORDER BY id LIMIT 1) p",
                first,
                last);
        if (entriesEach == 0) {
            return;
        }
        execute(
                connection,
                "INSERT INTO " + s
                        + ".token_balance (user_id, balance, last_seq, total_purchased, total_used, created_at,"
                        + " updated_at) SELECT 'fill-' || g, " + (bought - used) + ", " + entriesEach + ", " + bought
                        + ", "
                        + used
                        + ", now() - interval '400 days', now() - interval '1 day' FROM generate_series(?, ?) AS g",
                first,
                last);
        // seq 1 is the purchase credit; seq 2.. each use one token.
        execute(
                connection,
                "INSERT INTO " + s + ".token_transaction (user_id, seq, kind, amount, balance_after, purchase_id,"
                        + " idempotency_key, description, created_at)"
                        + " SELECT p.user_id, e.seq, CASE WHEN e.seq = 1 THEN 'purchase' ELSE 'usage' END,"
                        + " CASE WHEN e.seq = 1 THEN " + bought + " ELSE -1 END, " + bought + " - (e.seq - 1),"
                        + " CASE WHEN e.seq = 1 THEN p.id END, CASE WHEN e.seq > 1 THEN 'fill-use-' || e.seq END,"
                        + " CASE WHEN e.seq = 1 THEN 'Purchase of ' || p.package_slug ELSE 'chat' END,"
                        + " p.created_at + e.seq * interval '1 hour'"
                        + " FROM " + s + ".token_purchase p CROSS JOIN generate_series(1, " + entriesEach
                        + ") AS e(seq)"
                        + " WHERE p.user_id IN (SELECT 'fill-' || g FROM generate_series(?, ?) AS g)"
                        + " ORDER BY p.user_id, e.seq",
                first,
                last);
        execute(
                connection,
                "INSERT INTO " + s + ".token_lot (user_id, source, entry_id, purchase_id, amount, remaining, priority,"
                        + " created_at) SELECT t.user_id, 'purchase', t.id, t.purchase_id, " + bought + ", "
                        + (bought - used) + ", 0, t.created_at FROM " + s + ".token_transaction t"
                        + " WHERE t.kind = 'purchase' AND t.user_id IN (SELECT 'fill-' || g FROM generate_series(?, ?) AS g)",
                first,
                last);
    }

    /** Purchases that moved no tokens: 1 in 20 pending, the rest failed or canceled, over the last year. */
    private void otherPurchases(Connection connection, long users, long count) throws SQLException {
        long started = System.nanoTime();
        execute(
                connection,
                "INSERT INTO " + schema
                        + ".token_purchase (user_id, package_id, package_slug, token_amount, amount_minor,"
                        + " currency, status, stripe_payment_intent_id, created_at, updated_at)"
                        + " SELECT 'fill-' || (g % ? + 1), p.id, p.slug, p.token_amount, p.price_minor, p.currency,"
                        + " CASE WHEN g % 20 = 0 THEN 'pending' WHEN g % 2 = 0 THEN 'failed' ELSE 'canceled' END,"
                        + " 'pi_fill_other_' || g, now() - (? - g) * interval '30 seconds', now() - (? - g) * interval '30 seconds'"
                        + " FROM generate_series(1, ?) AS g CROSS JOIN (SELECT id, slug, token_amount, price_minor, currency FROM "
                        + schema + ".token_package ORDER BY id LIMIT 1) p",
                users,
                count,
                count,
                count);
        progress.printf(
                Locale.ROOT, "prefill: %,d more purchases in %.1f s%n", count, (System.nanoTime() - started) / 1e9);
    }

    private static void execute(Connection connection, String sql, long... parameters) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setLong(i + 1, parameters[i]);
            }
            statement.executeUpdate();
        }
    }
}
