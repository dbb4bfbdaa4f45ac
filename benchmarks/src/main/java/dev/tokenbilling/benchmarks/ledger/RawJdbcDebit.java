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
 * it cannot go below the reserved amount), draw the tokens from the user's first open credit lot,
 * append the ledger row with the new balance, commit.
 *
 * <p>The lot draw is there because the schema keeps "open lot remainders - debt = balance" (checked
 * by {@code LedgerAudit}); the library's {@code consume} does the same work. Each benchmark user has
 * exactly one lot (its funding grant), so one lot always covers a debit and no multi-lot walk is needed.
 */
final class RawJdbcDebit implements Operation {

    private final Connection connection;
    private final PreparedStatement update;
    private final PreparedStatement drawLot;
    private final PreparedStatement insert;
    private final LedgerCase ledgerCase;
    private final DebitKeys keys;

    private RawJdbcDebit(Connection connection, String schema, LedgerCase ledgerCase, DebitKeys keys) throws SQLException {
        this.connection = connection;
        this.ledgerCase = ledgerCase;
        this.keys = keys;
        connection.setAutoCommit(false);
        this.update = connection.prepareStatement("UPDATE " + schema + ".token_balance"
                + " SET balance = balance - ?, total_used = total_used + ?, updated_at = ?"
                + " WHERE user_id = ? AND balance - reserved >= ? RETURNING balance");
        // Same lot draw as the library's common case, through the same partial index of open lots.
        this.drawLot = connection.prepareStatement("UPDATE " + schema + ".token_lot SET remaining = remaining - ?"
                + " WHERE id = (SELECT id FROM " + schema + ".token_lot WHERE user_id = ? AND closed_at IS NULL"
                + " ORDER BY priority, expires_at NULLS LAST, id LIMIT 1) AND remaining > ?");
        this.insert = connection.prepareStatement("INSERT INTO " + schema + ".token_transaction"
                + " (user_id, kind, amount, balance_after, idempotency_key, description, created_at)"
                + " VALUES (?, 'usage', ?, ?, ?, ?, ?)");
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
            try (ResultSet row = update.executeQuery()) {
                if (!row.next()) {
                    connection.rollback();
                    return 0;
                }
                balanceAfter = row.getLong(1);
            }
            drawLot.setLong(1, LedgerBenchmark.DEBIT_TOKENS);
            drawLot.setString(2, user.value());
            drawLot.setLong(3, LedgerBenchmark.DEBIT_TOKENS);
            if (drawLot.executeUpdate() != 1) {
                throw new IllegalStateException("the first open lot of " + user + " does not cover the debit");
            }
            insert.setString(1, user.value());
            insert.setLong(2, -LedgerBenchmark.DEBIT_TOKENS);
            insert.setLong(3, balanceAfter);
            insert.setString(4, keys.next());
            insert.setString(5, LedgerBenchmark.DESCRIPTION);
            insert.setObject(6, now);
            insert.executeUpdate();
            connection.commit();
            return 1;
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        }
    }

    @Override
    public void release() throws SQLException {
        try (connection) {
            update.close();
            drawLot.close();
            insert.close();
            connection.setAutoCommit(true);
        }
    }
}
