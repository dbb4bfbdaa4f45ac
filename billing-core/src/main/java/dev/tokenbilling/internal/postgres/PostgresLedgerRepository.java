package dev.tokenbilling.internal.postgres;

import dev.tokenbilling.internal.UtcMonths;
import dev.tokenbilling.model.LedgerEntry;
import dev.tokenbilling.model.LedgerEntryKind;
import dev.tokenbilling.model.SpendLimit;
import dev.tokenbilling.model.TokenBalance;
import dev.tokenbilling.model.TokenLot;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.store.BalanceTotals;
import dev.tokenbilling.store.LedgerPosting;
import dev.tokenbilling.store.LedgerRepository;
import dev.tokenbilling.store.PostingResult;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.SqlStatement;

/** The ledger on PostgreSQL: one function call per posting, see {@link LedgerSql}. */
final class PostgresLedgerRepository implements LedgerRepository {

    static final String IDEMPOTENCY_INDEX = "token_transaction_idempotency";
    static final String POSTING_REF_INDEX = "token_transaction_posting_ref";
    private static final Set<LedgerEntryKind> LOT_CREDITS = EnumSet.of(
            LedgerEntryKind.PURCHASE,
            LedgerEntryKind.GRANT,
            LedgerEntryKind.ALLOWANCE,
            LedgerEntryKind.ADJUSTMENT,
            LedgerEntryKind.DISPUTE_REVERSAL,
            LedgerEntryKind.REFUND_REVERSAL);
    private static final int BATCH_ATTEMPTS = 5;

    private final HandleAccess access;
    private final LedgerSql sql;

    private final LedgerAudit audit;
    private final boolean citus;
    /** This store's batches, so that concurrent ones sharing a user do not wait in PostgreSQL. */
    private final BatchAdmission admission = new BatchAdmission();

    /** On Citus ({@code citus}) a batch is split by shard: one call per shard, each on its worker. */
    PostgresLedgerRepository(HandleAccess access, LedgerSql sql, LedgerAudit audit, boolean citus) {
        this.audit = audit;
        this.access = access;
        this.sql = sql;
        this.citus = citus;
    }

    @Override
    public PostingResult credit(LedgerPosting posting) {
        return post(posting, posting.tokens(), sql.credit);
    }

    @Override
    public PostingResult debit(LedgerPosting posting) {
        return post(posting, -posting.tokens(), sql.debit);
    }

    private PostingResult post(LedgerPosting posting, long amount, String statement) {
        try {
            Optional<LedgerEntry> entry = access.with(handle -> inSavepointIfNeeded(
                    handle,
                    posting,
                    () -> bindPosting(handle.createQuery(statement), posting, amount)
                            .map((rs, ctx) -> Rows.ledgerEntry(rs))
                            .findOne()));
            if (entry.isPresent()) {
                return new PostingResult.Posted(entry.get());
            }
        } catch (RuntimeException e) {
            // A racing repeat of the same key got in first: the unique index refused ours.
            if (!StoreErrors.isUniqueViolation(e, IDEMPOTENCY_INDEX)
                    && !StoreErrors.isUniqueViolation(e, POSTING_REF_INDEX)) {
                throw e;
            }
        }
        return notPosted(posting);
    }

    /**
     * Inside a caller's transaction a unique violation would abort the whole transaction, so a
     * keyed posting runs under a savepoint there; alone, the statement is its own transaction.
     */
    private <T> T inSavepointIfNeeded(Handle handle, LedgerPosting posting, Supplier<T> work) {
        if (!access.inTransaction()
                || (posting.idempotencyKey().isEmpty() && posting.postingRef().isEmpty())) {
            return work.get();
        }
        String savepoint = "ledger_posting";
        handle.savepoint(savepoint);
        try {
            T result = work.get();
            handle.releaseSavepoint(savepoint);
            return result;
        } catch (RuntimeException e) {
            handle.rollbackToSavepoint(savepoint);
            throw e;
        }
    }

    private PostingResult notPosted(LedgerPosting posting) {
        if (posting.idempotencyKey().isPresent()) {
            Optional<LedgerEntry> original = findByIdempotencyKey(
                    posting.userId(), posting.idempotencyKey().get());
            if (original.isPresent()) {
                return new PostingResult.Duplicate(original.get());
            }
        }
        if (posting.postingRef().isPresent()) {
            Optional<LedgerEntry> original = access.with(handle -> handle.createQuery(sql.findByRef)
                    .bind("user", posting.userId().value())
                    .bind("ref", posting.postingRef().get())
                    .map((rs, ctx) -> Rows.ledgerEntry(rs))
                    .findOne());
            if (original.isPresent()) {
                return new PostingResult.Duplicate(original.get());
            }
        }
        return refusal(posting.userId(), posting.tokens(), posting.at(), posting.kind() == LedgerEntryKind.USAGE);
    }

    /** Why a debit that was neither posted nor a repeat was refused: the usage limit, or the balance. */
    private PostingResult refusal(UserId userId, long tokens, Instant at, boolean usage) {
        Optional<UsageRow> row = usageRow(userId, at);
        if (usage
                && row.isPresent()
                && row.get().limit().isPresent()
                && row.get().available() >= tokens
                && row.get().used() + tokens > row.get().limit().get()) {
            return new PostingResult.LimitReached(
                    row.get().limit().get(), row.get().used(), UtcMonths.startOfNext(at));
        }
        return new PostingResult.Insufficient(
                row.map(r -> Math.max(0, r.available())).orElse(0L));
    }

    private record UsageRow(Optional<Long> limit, long available, long used) {}

    private Optional<UsageRow> usageRow(UserId userId, Instant at) {
        return access.with(handle -> handle.createQuery(sql.usageLimit)
                .bind("user", userId.value())
                .bind("at", Rows.utc(at))
                .map((rs, ctx) ->
                        new UsageRow(Rows.optionalLong(rs, "usage_limit"), rs.getLong("available"), rs.getLong("used")))
                .findOne());
    }

    @Override
    public void setUsageLimit(UserId userId, Optional<Long> tokensPerMonth, Instant at) {
        access.with(handle -> handle.createUpdate(sql.setUsageLimit)
                .bind("user", userId.value())
                .bind("limit", tokensPerMonth.orElse(null))
                .bind("at", Rows.utc(at))
                .execute());
    }

    @Override
    public Optional<SpendLimit> usageLimit(UserId userId, Instant at) {
        return usageRow(userId, at)
                .flatMap(row -> row.limit().map(limit -> new SpendLimit(limit, row.used(), UtcMonths.startOfNext(at))));
    }

    private static <S extends SqlStatement<S>> S bindPosting(S statement, LedgerPosting posting, long amount) {
        BalanceTotals totals = BalanceTotals.forEntry(posting.kind(), amount);
        boolean opensLot = amount > 0 && LOT_CREDITS.contains(posting.kind());
        return statement
                .bind("user", posting.userId().value())
                .bind("kind", posting.kind().wireName())
                .bind("tokens", posting.tokens())
                .bind("allowNegative", posting.allowNegative())
                .bind("purchaseId", posting.purchaseId().orElse(null))
                .bind("key", posting.idempotencyKey().orElse(null))
                .bind("ref", posting.postingRef().orElse(null))
                .bind("description", posting.description())
                .bind("at", Rows.utc(posting.at()))
                .bind("purchased", totals.purchased())
                .bind("granted", totals.granted())
                .bind("used", totals.used())
                .bind("reversed", totals.reversed())
                .bind("adjusted", totals.adjusted())
                .bind("expired", totals.expired())
                .bind("lotSource", opensLot ? posting.kind().wireName() : null)
                .bind("lotPriority", posting.lot().priority())
                .bind("lotExpiresAt", posting.lot().expiresAt().map(Rows::utc).orElse(null));
    }

    @Override
    public List<PostingResult> debitAll(List<LedgerPosting> postings) {
        if (postings.isEmpty()) {
            return List.of();
        }
        if (postings.stream()
                .anyMatch(p ->
                        p.kind() != LedgerEntryKind.USAGE || p.idempotencyKey().isEmpty() || p.allowNegative())) {
            throw new IllegalArgumentException("debitAll takes keyed usage debits only");
        }
        for (int attempt = 1; ; attempt++) {
            // The first attempt does not read which keys were used before (an index lookup per item):
            // a used key fails the entry insert, and the retry reads them. In the caller's transaction,
            // which a failed statement would end, they are read first.
            BatchCall call =
                    attempt > 1 || access.inTransaction() ? BatchCall.READING_KEYS : BatchCall.NOT_READING_KEYS;
            try {
                if (citus) {
                    return debitBatchByShard(postings);
                }
                if (access.inTransaction()) {
                    // The caller's transaction may hold rows a running batch waits for: no waiting here.
                    return access.with(handle -> debitBatch(handle, postings, call));
                }
                BatchAdmission.Ticket admitted = admission.admit(usersOf(postings), BatchAdmission.MAX_WAIT);
                try {
                    return access.with(handle -> debitBatch(handle, postings, call));
                } finally {
                    admitted.close();
                }
            } catch (RuntimeException e) {
                // A key of the batch was used before, or by a concurrent request between the batch's
                // read of its keys and its insert: the retry reads it and answers it as a duplicate.
                if (attempt >= BATCH_ATTEMPTS || !StoreErrors.isUniqueViolation(e, IDEMPOTENCY_INDEX)) {
                    throw e;
                }
            }
        }
    }

    private static List<String> usersOf(List<LedgerPosting> postings) {
        return postings.stream().map(p -> p.userId().value()).distinct().toList();
    }

    /**
     * On Citus: the batch's users grouped by shard, one call of ledger_debit_batch_colocated per group
     * (run on the group's worker, its own transaction), the results back in the caller's order. A
     * failure part way leaves the earlier groups posted: a retry with the same keys reports them as
     * duplicates.
     */
    private List<PostingResult> debitBatchByShard(List<LedgerPosting> postings) {
        String[] users =
                postings.stream().map(p -> p.userId().value()).distinct().toArray(String[]::new);
        java.util.Map<String, Long> shardOfUser = access.with(handle -> handle
                .createQuery(sql.shardsOf)
                .bind(0, users)
                .map((rs, ctx) -> java.util.Map.entry(rs.getString("user_id"), rs.getLong("shard")))
                .list()
                .stream()
                .collect(java.util.stream.Collectors.toMap(
                        java.util.Map.Entry::getKey, java.util.Map.Entry::getValue, (a, b) -> a)));
        java.util.Map<Long, List<Integer>> groups = new java.util.TreeMap<>();
        for (int i = 0; i < postings.size(); i++) {
            groups.computeIfAbsent(shardOfUser.get(postings.get(i).userId().value()), shard -> new ArrayList<>())
                    .add(i);
        }
        PostingResult[] results = new PostingResult[postings.size()];
        for (List<Integer> group : groups.values()) {
            List<LedgerPosting> part = group.stream().map(postings::get).toList();
            List<PostingResult> partResults = access.with(handle -> debitBatch(handle, part, BatchCall.COLOCATED));
            for (int j = 0; j < group.size(); j++) {
                results[group.get(j)] = partResults.get(j);
            }
        }
        return List.of(results);
    }

    /** How a batch is posted in one call: one round trip, one transaction. */
    private enum BatchCall {
        /** ledger_debit_batch, reading which keys were used before. */
        READING_KEYS,
        /** ledger_debit_batch without that read: a used key fails the call. */
        NOT_READING_KEYS,
        /** On Citus, for users of one shard: ledger_debit_batch_colocated routed by the first user. */
        COLOCATED
    }

    private List<PostingResult> debitBatch(Handle handle, List<LedgerPosting> postings, BatchCall call) {
        boolean colocated = call == BatchCall.COLOCATED;
        int size = postings.size();
        String[] users = new String[size];
        Long[] tokens = new Long[size];
        String[] keys = new String[size];
        String[] descriptions = new String[size];
        for (int i = 0; i < size; i++) {
            LedgerPosting posting = postings.get(i);
            users[i] = posting.userId().value();
            tokens[i] = posting.tokens();
            keys[i] = posting.idempotencyKey().orElseThrow();
            descriptions[i] = posting.description();
        }
        PostingResult[] results = new PostingResult[size];
        org.jdbi.v3.core.statement.Query query =
                handle.createQuery(colocated ? sql.debitBatchColocated : sql.debitBatch);
        int first = 0;
        if (colocated) {
            query.bind(first++, users[0]);
        }
        query.bind(first, users)
                .bind(first + 1, tokens)
                .bind(first + 2, keys)
                .bind(first + 3, descriptions)
                .bind(first + 4, Rows.utc(postings.get(0).at()));
        if (!colocated) {
            query.bind(first + 5, call == BatchCall.READING_KEYS);
        }
        query.map((rs, ctx) -> {
                    int index = rs.getInt("r_ord") - 1;
                    String outcome = rs.getString("r_outcome");
                    results[index] = switch (outcome) {
                        case "posted" -> new PostingResult.Posted(Rows.ledgerEntry(rs));
                        case "duplicate" -> new PostingResult.Duplicate(Rows.ledgerEntry(rs));
                        case "limit" -> null; // read below, with the limit's figures
                        default -> new PostingResult.Insufficient(rs.getLong("r_available"));
                    };
                    return index;
                })
                .list();
        for (int i = 0; i < size; i++) {
            if (results[i] == null) {
                // Refused by the usage limit (rare): its figures as the batch's transaction sees them.
                LedgerPosting posting = postings.get(i);
                UsageRow row = handle.createQuery(sql.usageLimit)
                        .bind("user", posting.userId().value())
                        .bind("at", Rows.utc(postings.get(0).at()))
                        .map((rs, ctx) -> new UsageRow(
                                Rows.optionalLong(rs, "usage_limit"), rs.getLong("available"), rs.getLong("used")))
                        .one();
                results[i] = new PostingResult.LimitReached(
                        row.limit().orElse(0L),
                        row.used(),
                        UtcMonths.startOfNext(postings.get(0).at()));
            }
        }
        return List.of(results);
    }

    @Override
    public TokenBalance balance(UserId userId) {
        return access.with(handle -> handle.createQuery(sql.balance)
                .bind("user", userId.value())
                .map((rs, ctx) -> Rows.balance(rs))
                .findOne()
                .orElseGet(() -> TokenBalance.empty(userId)));
    }

    @Override
    public Optional<LedgerEntry> findByIdempotencyKey(UserId userId, String idempotencyKey) {
        return access.with(handle -> handle.createQuery(sql.findByKey)
                .bind("user", userId.value())
                .bind("key", idempotencyKey)
                .map((rs, ctx) -> Rows.ledgerEntry(rs))
                .findOne());
    }

    @Override
    public Optional<LedgerEntry> findEntry(UserId userId, long entryId) {
        return access.with(handle -> handle.createQuery(sql.entryById)
                .bind("user", userId.value())
                .bind("id", entryId)
                .map((rs, ctx) -> Rows.ledgerEntry(rs))
                .findOne());
    }

    @Override
    public List<LedgerEntry> history(UserId userId, Optional<Long> beforeId, int limit) {
        return access.with(handle -> handle.createQuery(beforeId.isPresent() ? sql.historyBefore : sql.history)
                .bind("user", userId.value())
                .bind("before", beforeId.orElse(0L))
                .bind("limit", limit)
                .map((rs, ctx) -> Rows.ledgerEntry(rs))
                .list());
    }

    @Override
    public List<TokenBalance> balances(int limit, boolean negativeOnly) {
        return access.with(handle -> handle.createQuery(negativeOnly ? sql.negativeBalances : sql.topBalances)
                .bind("limit", limit)
                .map((rs, ctx) -> Rows.balance(rs))
                .list());
    }

    @Override
    public List<TokenLot> lots(UserId userId, boolean openOnly) {
        return access.with(handle -> handle.createQuery(openOnly ? sql.openLots : sql.allLots)
                .bind("user", userId.value())
                .map((rs, ctx) -> Rows.lot(rs))
                .list());
    }

    @Override
    public Optional<TokenLot> findLot(long lotId) {
        // The lot's user first, so that lots_of reads one user's lots (on Citus: on that user's worker).
        return access.with(handle -> handle.createQuery(sql.userOfLot)
                .bind("id", lotId)
                .mapTo(String.class)
                .findOne()
                .flatMap(user -> handle.createQuery(sql.lotOfUser)
                        .bind("user", user)
                        .bind("id", lotId)
                        .map((rs, ctx) -> Rows.lot(rs))
                        .findOne()));
    }

    @Override
    public List<String> auditViolations() {
        return audit.violations();
    }

    @Override
    public Optional<TokenLot> findLotByEntry(UserId userId, long entryId) {
        return access.with(handle -> handle.createQuery(sql.lotByEntry)
                .bind("user", userId.value())
                .bind("entry", entryId)
                .map((rs, ctx) -> Rows.lot(rs))
                .findOne());
    }

    @Override
    public List<Long> lapsedLots(Instant now, int limit) {
        return access.with(handle -> handle.createQuery(sql.lapsedLots)
                .bind("now", Rows.utc(now))
                .bind("limit", limit)
                .mapTo(Long.class)
                .list());
    }

    @Override
    public Optional<LedgerEntry> closeLot(long lotId, LedgerEntryKind kind, String description, Instant at) {
        if (kind != LedgerEntryKind.EXPIRY && kind != LedgerEntryKind.VOID) {
            throw new IllegalArgumentException("a lot closes by expiry or void, not " + kind);
        }
        BalanceTotals totals = BalanceTotals.forEntry(kind, -1);
        // On Citus the lot's user is looked up first, so that lot_close runs on the user's worker.
        Optional<String> user = citus
                ? access.with(handle -> handle.createQuery(sql.userOfLot)
                        .bind("id", lotId)
                        .mapTo(String.class)
                        .findOne())
                : Optional.empty();
        if (citus && user.isEmpty()) {
            return Optional.empty();
        }
        return access.with(handle -> handle.createQuery(citus ? sql.closeLotOfUser : sql.closeLot)
                .bind("user", user.orElse(null))
                .bind("id", lotId)
                .bind("granted", totals.granted())
                .bind("expired", totals.expired())
                .bind("kind", kind.wireName())
                .bind("description", description)
                .bind("at", Rows.utc(at))
                .bind("reason", kind == LedgerEntryKind.EXPIRY ? "expired" : "voided")
                .map((rs, ctx) -> Rows.ledgerEntry(rs))
                .findOne());
    }
}
