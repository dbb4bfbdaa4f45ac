package dev.tokenbilling.internal.postgres;

/**
 * The ledger's SQL, rendered once per schema. Each posting is a single statement: the CTE moves the
 * balance (guarded) and the outer INSERT appends the entry from the CTE's result, so either both
 * happen or neither does. The NOT EXISTS guard answers repeated keys without an error; the unique
 * index on (user_id, idempotency_key) stops repeats that race each other.
 */
final class LedgerSql {

    private static final String TOTALS_UPDATE =
            "total_purchased = b.total_purchased + :purchased, total_granted = b.total_granted + :granted, "
            + "total_used = b.total_used + :used, total_reversed = b.total_reversed + :reversed, "
            + "total_adjusted = b.total_adjusted + :adjusted, total_expired = b.total_expired + :expired";

    private static final String APPEND_ENTRY =
            "INSERT INTO {schema}.token_transaction (user_id, kind, amount, balance_after, purchase_id, idempotency_key, description, created_at) "
            + "SELECT :user, :kind, :amount, balance, :purchaseId, :key, :description, :at FROM moved ";

    private static final String KEY_UNUSED =
            "NOT EXISTS (SELECT 1 FROM {schema}.token_transaction t WHERE t.user_id = :user AND t.idempotency_key = :key)";

    final String credit;
    final String debit;
    /** The debit without RETURNING, for JDBC batches (a batch may not return result sets). */
    final String debitForBatch;
    final String findByKey;
    final String findByKeys;
    final String balance;
    final String history;
    final String historyBefore;
    final String topBalances;
    final String negativeBalances;

    LedgerSql(SchemaName schema) {
        credit = schema.render(
                "WITH moved AS ("
                + " INSERT INTO {schema}.token_balance AS b (user_id, balance, total_purchased, total_granted, total_used,"
                + "   total_reversed, total_adjusted, total_expired, created_at, updated_at)"
                + " SELECT :user, :amount, :purchased, :granted, :used, :reversed, :adjusted, :expired, :at, :at"
                + " WHERE " + KEY_UNUSED
                + " ON CONFLICT (user_id) DO UPDATE SET balance = b.balance + :amount, " + TOTALS_UPDATE + ", updated_at = :at"
                + " RETURNING b.balance) "
                + APPEND_ENTRY + "RETURNING " + Rows.LEDGER_COLUMNS);
        String debitStatement =
                "WITH moved AS ("
                + " UPDATE {schema}.token_balance b SET balance = b.balance + :amount, " + TOTALS_UPDATE + ", updated_at = :at"
                + " WHERE b.user_id = :user AND (:allowNegative OR b.balance - b.reserved >= :tokens)"
                + " AND " + KEY_UNUSED
                + " RETURNING b.balance) "
                + APPEND_ENTRY;
        debit = schema.render(debitStatement + "RETURNING " + Rows.LEDGER_COLUMNS);
        debitForBatch = schema.render(debitStatement);
        findByKey = schema.render("SELECT " + Rows.LEDGER_COLUMNS
                + " FROM {schema}.token_transaction WHERE user_id = :user AND idempotency_key = :key");
        findByKeys = schema.render("SELECT " + Rows.LEDGER_COLUMNS + " FROM {schema}.token_transaction"
                + " WHERE (user_id, idempotency_key) IN (SELECT * FROM unnest(?::text[], ?::text[]))");
        balance = schema.render("SELECT " + Rows.BALANCE_COLUMNS + " FROM {schema}.token_balance WHERE user_id = :user");
        history = schema.render("SELECT " + Rows.LEDGER_COLUMNS
                + " FROM {schema}.token_transaction WHERE user_id = :user ORDER BY id DESC LIMIT :limit");
        historyBefore = schema.render("SELECT " + Rows.LEDGER_COLUMNS
                + " FROM {schema}.token_transaction WHERE user_id = :user AND id < :before ORDER BY id DESC LIMIT :limit");
        topBalances = schema.render("SELECT " + Rows.BALANCE_COLUMNS
                + " FROM {schema}.token_balance ORDER BY balance DESC, user_id LIMIT :limit");
        negativeBalances = schema.render("SELECT " + Rows.BALANCE_COLUMNS
                + " FROM {schema}.token_balance WHERE balance < 0 ORDER BY balance, user_id LIMIT :limit");
    }
}
