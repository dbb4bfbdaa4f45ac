package dev.tokenbilling.benchmarks.ledger;

import dev.tokenbilling.benchmarks.Operation;
import dev.tokenbilling.model.UserId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import javax.sql.DataSource;

/**
 * The baseline: the SQL a hand-written ledger would run per debit, on one pooled connection per
 * thread with prepared statements reused. One transaction per debit: move the balance (guarded so
 * it cannot go below the reserved amount) and take the user's next ledger sequence number, draw the
 * tokens from the user's first open credit lot, append the ledger row with the new balance and that
 * sequence number, commit.
 *
 * <p>The lot draw is there because the schema keeps "open lot remainders - debt = balance" (checked
 * by the ledger audit); the library's {@code debit} does the same work. When the first open lot
 * does not cover the debit, the baseline does what a hand-written ledger must: reads the user's open
 * lots in draw order (under the balance row's lock, like the library) and draws from each in turn,
 * closing the ones it empties, in one JDBC batch. In {@code ledger} every user has a single lot (its
 * funding grant), so that walk never runs; in {@code lots} users hold up to five and debits cross
 * lot boundaries.
 */
final class RawJdbcDebit implements Operation {

    private final Connection connection;
    private final PreparedStatement update;
    private final PreparedStatement drawLot;
    private final PreparedStatement insert;
    private final PreparedStatement openLots;
    private final PreparedStatement drawFromLot;
    private final LedgerCase ledgerCase;
    private final DebitKeys keys;

    private RawJdbcDebit(Connection connection, String schema, LedgerCase ledgerCase, DebitKeys keys)
            throws SQLException {
        this.connection = connection;
        this.ledgerCase = ledgerCase;
        this.keys = keys;
        connection.setAutoCommit(false);
        this.update = connection.prepareStatement("UPDATE " + schema + ".token_balance"
                + " SET balance = balance - ?, total_used = total_used + ?, last_seq = last_seq + 1, updated_at = ?"
                + " WHERE user_id = ? AND balance - reserved >= ? RETURNING balance, last_seq");
        // The lot draw of the library's ledger_debit fast path: open lots are found by closed_at (the
        // partial index), and a lot that reaches zero is closed in the same statement.
        this.drawLot = connection.prepareStatement("UPDATE " + schema + ".token_lot SET remaining = remaining - ?,"
                + " closed_at = CASE WHEN remaining = ? THEN ? END, closed_reason = CASE WHEN remaining = ? THEN 'used' END"
                + " WHERE user_id = ? AND id = (SELECT id FROM " + schema
                + ".token_lot WHERE user_id = ? AND closed_at IS NULL"
                + " ORDER BY priority, expires_at NULLS LAST, id LIMIT 1) AND remaining >= ?");
        this.insert = connection.prepareStatement("INSERT INTO " + schema + ".token_transaction"
                + " (user_id, seq, kind, amount, balance_after, idempotency_key, description, created_at)"
                + " VALUES (?, ?, 'usage', ?, ?, ?, ?, ?)");
        this.openLots = connection.prepareStatement("SELECT id, remaining FROM " + schema + ".token_lot"
                + " WHERE user_id = ? AND closed_at IS NULL ORDER BY priority, expires_at NULLS LAST, id");
        this.drawFromLot = connection.prepareStatement("UPDATE " + schema + ".token_lot SET remaining = remaining - ?,"
                + " closed_at = CASE WHEN remaining = ? THEN ? END, closed_reason = CASE WHEN remaining = ? THEN 'used' END"
                + " WHERE user_id = ? AND id = ?");
    }

    static Operation.Factory factory(DataSource dataSource, String schema, LedgerCase ledgerCase, String runName) {
        return threadIndex -> {
            Connection connection = dataSource.getConnection();
            try {
                return new RawJdbcDebit(connection, schema, ledgerCase, new DebitKeys(runName, threadIndex));
            } catch (SQLException | RuntimeException e) {
                connection.close();
                throw e;
            }
        };
    }

    @Override
    public int runOnce() throws SQLException {
        UserId user = ledgerCase.pick();
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        try {
            update.setLong(1, LedgerBenchmark.DEBIT_TOKENS);
            update.setLong(2, LedgerBenchmark.DEBIT_TOKENS);
            update.setObject(3, now);
            update.setString(4, user.value());
            update.setLong(5, LedgerBenchmark.DEBIT_TOKENS);
            long balanceAfter;
            long seq;
            try (ResultSet row = update.executeQuery()) {
                if (!row.next()) {
                    connection.rollback();
                    return 0;
                }
                balanceAfter = row.getLong(1);
                seq = row.getLong(2);
            }
            drawLot.setLong(1, LedgerBenchmark.DEBIT_TOKENS);
            drawLot.setLong(2, LedgerBenchmark.DEBIT_TOKENS);
            drawLot.setObject(3, now);
            drawLot.setLong(4, LedgerBenchmark.DEBIT_TOKENS);
            drawLot.setString(5, user.value());
            drawLot.setString(6, user.value());
            drawLot.setLong(7, LedgerBenchmark.DEBIT_TOKENS);
            if (drawLot.executeUpdate() != 1) {
                drawAcrossLots(user, now);
            }
            insert.setString(1, user.value());
            insert.setLong(2, seq);
            insert.setLong(3, -LedgerBenchmark.DEBIT_TOKENS);
            insert.setLong(4, balanceAfter);
            insert.setString(5, keys.next());
            insert.setString(6, LedgerBenchmark.DESCRIPTION);
            insert.setObject(7, now);
            insert.executeUpdate();
            connection.commit();
            return 1;
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        }
    }

    /** The debit spans lots: draw from the open lots in draw order until it is covered. */
    private void drawAcrossLots(UserId user, OffsetDateTime now) throws SQLException {
        long left = LedgerBenchmark.DEBIT_TOKENS;
        openLots.setString(1, user.value());
        try (ResultSet lots = openLots.executeQuery()) {
            while (left > 0 && lots.next()) {
                long take = Math.min(left, lots.getLong(2));
                drawFromLot.setLong(1, take);
                drawFromLot.setLong(2, take);
                drawFromLot.setObject(3, now);
                drawFromLot.setLong(4, take);
                drawFromLot.setString(5, user.value());
                drawFromLot.setLong(6, lots.getLong(1));
                drawFromLot.addBatch();
                left -= take;
            }
        }
        if (left > 0) {
            drawFromLot.clearBatch();
            throw new IllegalStateException("the open lots of " + user + " do not cover the debit");
        }
        drawFromLot.executeBatch();
    }

    @Override
    public void release() throws SQLException {
        try (connection) {
            update.close();
            drawLot.close();
            insert.close();
            openLots.close();
            drawFromLot.close();
            connection.setAutoCommit(true);
        }
    }
}
