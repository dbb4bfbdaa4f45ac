package dev.tokenbilling.internal.postgres;

import dev.tokenbilling.error.StoreUnavailableException;
import dev.tokenbilling.model.PurchaseStatus;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * Checks the ledger's invariants on PostgreSQL, for operators and tests: each balance equals the
 * sum of its user's entries and the sum of its open lots minus its debt, each entry's
 * {@code balance_after} is the running sum, reserved tokens equal the active holds, every credited purchase has exactly one purchase credit and no other purchase has
 * one, and no balance went below zero except through a reversal. Read-only; run it at a quiet moment for an exact answer.
 */
final class LedgerAudit {

    private final DataSource dataSource;
    private final String schema;

    private LedgerAudit(DataSource dataSource, String schema) {
        this.dataSource = dataSource;
        this.schema = new SchemaName(schema).value();
    }

    static LedgerAudit of(DataSource dataSource, String schema) {
        return new LedgerAudit(dataSource, schema);
    }

    /** Every violation found, one line each; empty when the ledger is sound. */
    List<String> violations() {
        List<String> found = new ArrayList<>();
        check(
                found,
                "balance differs from the sum of the ledger",
                "SELECT b.user_id, b.balance, coalesce(sum(t.amount), 0) FROM {s}.token_balance b"
                        + " LEFT JOIN {s}.token_transaction t ON t.user_id = b.user_id GROUP BY b.user_id, b.balance"
                        + " HAVING b.balance <> coalesce(sum(t.amount), 0)");
        check(
                found,
                "ledger entries without a balance row",
                "SELECT t.user_id, count(*), sum(t.amount) FROM {s}.token_transaction t"
                        + " WHERE NOT EXISTS (SELECT 1 FROM {s}.token_balance b WHERE b.user_id = t.user_id) GROUP BY t.user_id");
        check(
                found,
                "balance_after is not the running sum",
                "SELECT id, user_id, balance_after FROM (SELECT id, user_id, balance_after,"
                        + " sum(amount) OVER (PARTITION BY user_id ORDER BY seq) AS running FROM {s}.token_transaction) x"
                        + " WHERE balance_after <> running LIMIT 20");
        check(
                found,
                "credited purchase without exactly one purchase credit",
                "SELECT p.id, p.status, count(t.id) FROM {s}.token_purchase p LEFT JOIN {s}.token_transaction t"
                        + " ON t.user_id = p.user_id AND t.purchase_id = p.id AND t.kind = 'purchase'"
                        + " GROUP BY p.user_id, p.id, p.status"
                        + " HAVING (p.status IN (" + Rows.sqlList(PurchaseStatus.CREDITED) + ") AND count(t.id) <> 1)"
                        + " OR (p.status NOT IN (" + Rows.sqlList(PurchaseStatus.CREDITED) + ") AND count(t.id) <> 0)");
        check(
                found,
                "purchase credit of the wrong amount or user",
                // Joined on the user too (so that Citus runs it shard by shard): a credit naming another
                // user's purchase, or none, finds no purchase.
                "SELECT t.id, t.purchase_id FROM {s}.token_transaction t LEFT JOIN {s}.token_purchase p"
                        + " ON p.user_id = t.user_id AND p.id = t.purchase_id"
                        + " WHERE t.kind = 'purchase' AND (p.id IS NULL OR t.amount <> p.token_amount)");
        check(
                found,
                "lot remainders minus debt and pending draw differ from the balance",
                "SELECT b.user_id, b.balance, b.debt, b.lot_draw, coalesce(sum(l.remaining), 0) AS lots"
                        + " FROM {s}.token_balance b LEFT JOIN {s}.token_lot l ON l.user_id = b.user_id"
                        + " GROUP BY b.user_id, b.balance, b.debt, b.lot_draw"
                        + " HAVING coalesce(sum(l.remaining), 0) - b.debt - b.lot_draw <> b.balance");
        check(
                found,
                "debt while lots still hold tokens, or debt without a negative balance",
                "SELECT b.user_id, b.balance, b.debt FROM {s}.token_balance b WHERE b.debt > 0 AND (b.balance <> -b.debt"
                        + " OR EXISTS (SELECT 1 FROM {s}.token_lot l WHERE l.user_id = b.user_id AND l.remaining > 0))");
        check(
                found,
                "reserved differs from the active holds",
                "SELECT b.user_id, b.reserved, coalesce(sum(r.amount), 0) AS held FROM {s}.token_balance b"
                        + " LEFT JOIN {s}.token_reservation r ON r.user_id = b.user_id AND r.status = 'active'"
                        + " GROUP BY b.user_id, b.reserved HAVING b.reserved <> coalesce(sum(r.amount), 0)");
        check(
                found,
                "usage took a balance below zero",
                "SELECT id, user_id, balance_after FROM {s}.token_transaction WHERE kind = 'usage' AND balance_after < 0"
                        // A settlement debits tokens that were held; a refund may have taken the balance below them
                        // since.
                        + " AND posting_ref IS NULL LIMIT 20");
        check(
                found,
                "ledger sequence is not 1..n per user, or the balance's last_seq differs",
                "SELECT b.user_id, b.last_seq, count(t.seq) AS entries, coalesce(max(t.seq), 0) AS last_entry FROM {s}.token_balance b"
                        + " LEFT JOIN {s}.token_transaction t ON t.user_id = b.user_id GROUP BY b.user_id, b.last_seq"
                        + " HAVING b.last_seq <> count(t.seq) OR b.last_seq <> coalesce(max(t.seq), 0)");
        return found;
    }

    private void check(List<String> found, String problem, String sqlTemplate) {
        String sql = sqlTemplate.replace("{s}", schema);
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            int columns = rows.getMetaData().getColumnCount();
            while (rows.next()) {
                StringBuilder line = new StringBuilder(problem).append(':');
                for (int c = 1; c <= columns; c++) {
                    line.append(' ')
                            .append(rows.getMetaData().getColumnLabel(c))
                            .append('=')
                            .append(rows.getString(c));
                }
                found.add(line.toString());
            }
        } catch (SQLException e) {
            if (StoreErrors.schemaMissing(e)) {
                throw StoreErrors.schemaNotMigrated(e, e);
            }
            throw new StoreUnavailableException("Ledger audit failed: " + e.getMessage(), e);
        }
    }
}
