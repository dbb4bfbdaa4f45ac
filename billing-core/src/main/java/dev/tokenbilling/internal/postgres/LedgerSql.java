package dev.tokenbilling.internal.postgres;

/**
 * The ledger's SQL, rendered once per schema. Postings call the PL/pgSQL functions of migration V2:
 * each locks the user's balance row, moves the balance, draws from (or opens) lots and appends the
 * entry in one statement and one round trip. The unique index on (user_id, idempotency_key) is the
 * last word on repeats that race each other.
 */
final class LedgerSql {

    final String credit;
    final String debit;
    final String debitBatch;
    /** On Citus: a batch whose users share one shard, run on that shard's worker. */
    final String debitBatchColocated;
    /** On Citus: the shard of each user of a batch. */
    final String shardsOf;

    final String findByKey;
    final String findByRef;
    final String balance;
    final String history;
    final String historyBefore;
    final String topBalances;
    final String negativeBalances;
    final String openLots;
    final String allLots;
    final String lotOfUser;
    final String lotByEntry;
    final String entryById;
    final String lapsedLots;
    final String closeLot;
    /** On Citus: {@link #closeLot} with the lot's user looked up first ({@link #userOfLot}), so that it runs on the user's worker. */
    final String closeLotOfUser;

    final String userOfLot;
    final String setUsageLimit;
    final String usageLimit;

    LedgerSql(SchemaName schema) {
        credit = schema.render(
                "SELECT " + Rows.LEDGER_COLUMNS + " FROM {schema}.ledger_credit(:user, :kind, :tokens,"
                        + " CAST(:purchaseId AS bigint), CAST(:key AS text), CAST(:ref AS text), :description, CAST(:at AS timestamptz), :purchased, :granted,"
                        + " :reversed, :adjusted, CAST(:lotSource AS text), CAST(:lotPriority AS integer), CAST(:lotExpiresAt AS timestamptz))");
        debit = schema.render(
                "SELECT " + Rows.LEDGER_COLUMNS + " FROM {schema}.ledger_debit(:user, :kind, :tokens, :allowNegative,"
                        + " CAST(:purchaseId AS bigint), CAST(:key AS text), CAST(:ref AS text), :description, CAST(:at AS timestamptz), :granted, :used,"
                        + " :reversed,"
                        + " :adjusted, :expired)");
        debitBatch = schema.render(
                "SELECT r_ord, r_outcome, r_available, " + Rows.LEDGER_COLUMNS + " FROM {schema}.ledger_debit_batch("
                        + "CAST(? AS text[]), CAST(? AS bigint[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS timestamptz),"
                        + " CAST(? AS boolean))");
        debitBatchColocated = schema.render("SELECT r_ord, r_outcome, r_available, " + Rows.LEDGER_COLUMNS
                + " FROM {schema}.ledger_debit_batch_colocated(CAST(? AS text), CAST(? AS text[]), CAST(? AS bigint[]),"
                + " CAST(? AS text[]), CAST(? AS text[]), CAST(? AS timestamptz))");
        shardsOf = schema.render(
                "SELECT u.user_id, get_shard_id_for_distribution_column('{schema}.token_balance', u.user_id)"
                        + " AS shard FROM unnest(CAST(? AS text[])) AS u(user_id)");
        findByKey = schema.render("SELECT " + Rows.LEDGER_COLUMNS
                + " FROM {schema}.token_transaction WHERE user_id = :user AND idempotency_key = :key");
        findByRef = schema.render("SELECT " + Rows.LEDGER_COLUMNS
                + " FROM {schema}.token_transaction WHERE user_id = :user AND posting_ref = :ref");
        entryById = schema.render("SELECT " + Rows.LEDGER_COLUMNS
                + " FROM {schema}.token_transaction WHERE user_id = :user AND id = :id");
        balance =
                schema.render("SELECT " + Rows.BALANCE_COLUMNS + " FROM {schema}.token_balance WHERE user_id = :user");
        history = schema.render("SELECT " + Rows.LEDGER_COLUMNS
                + " FROM {schema}.token_transaction WHERE user_id = :user ORDER BY seq DESC LIMIT :limit");
        historyBefore = schema.render("SELECT " + Rows.LEDGER_COLUMNS
                + " FROM {schema}.token_transaction WHERE user_id = :user"
                + " AND seq < (SELECT b.seq FROM {schema}.token_transaction b WHERE b.user_id = :user AND b.id = :before)"
                + " ORDER BY seq DESC LIMIT :limit");
        topBalances = schema.render("SELECT " + Rows.BALANCE_COLUMNS
                + " FROM {schema}.token_balance ORDER BY balance DESC, user_id LIMIT :limit");
        negativeBalances = schema.render("SELECT " + Rows.BALANCE_COLUMNS
                + " FROM {schema}.token_balance WHERE balance < 0 ORDER BY balance, user_id LIMIT :limit");
        // Lots are read through lots_of, which applies the draw that batched debits left pending (V13).
        String lots = "SELECT " + Rows.LOT_COLUMNS + " FROM {schema}.lots_of(";
        openLots = schema.render(lots + ":user, true) ORDER BY priority, expires_at NULLS LAST, id");
        allLots = schema.render(
                lots + ":user, false) ORDER BY (closed_at IS NOT NULL), priority, expires_at NULLS LAST, id");
        lotOfUser = schema.render(lots + ":user, false) WHERE id = :id");
        lotByEntry = schema.render(lots + ":user, false) WHERE entry_id = :entry");
        // Lots whose every token is held by active reservations cannot expire yet: skip them, or a
        // batch of them would come back first on every run and starve the others.
        lapsedLots =
                schema.render("SELECT l.id FROM {schema}.token_lot l WHERE l.closed_at IS NULL AND l.expires_at <= :now"
                        + " AND EXISTS (SELECT 1 FROM {schema}.token_balance b WHERE b.user_id = l.user_id AND b.balance > b.reserved)"
                        + " ORDER BY l.expires_at, l.id LIMIT :limit");
        closeLot = schema.render("SELECT " + Rows.LEDGER_COLUMNS
                + " FROM {schema}.lot_close((SELECT l.user_id FROM {schema}.token_lot l WHERE l.id = :id), :id, :kind, :description,"
                + " CAST(:at AS timestamptz), :reason, :granted, :expired)");
        closeLotOfUser = schema.render(
                "SELECT " + Rows.LEDGER_COLUMNS
                        + " FROM {schema}.lot_close(:user, :id, :kind, :description, CAST(:at AS timestamptz), :reason, :granted, :expired)");
        userOfLot = schema.render("SELECT user_id FROM {schema}.token_lot WHERE id = :id");
        setUsageLimit =
                schema.render("INSERT INTO {schema}.token_balance (user_id, usage_limit, created_at, updated_at)"
                        + " VALUES (:user, CAST(:limit AS bigint), :at, :at) ON CONFLICT (user_id) DO UPDATE"
                        + " SET usage_limit = EXCLUDED.usage_limit");
        usageLimit = schema.render("SELECT usage_limit, balance - reserved AS available,"
                + " CASE WHEN usage_month = date_trunc('month', CAST(:at AS timestamptz) AT TIME ZONE 'UTC')::date"
                + " THEN usage_in_month ELSE 0 END AS used FROM {schema}.token_balance WHERE user_id = :user");
    }
}
