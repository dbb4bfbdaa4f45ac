package dev.tokenbilling.internal.postgres;

import dev.tokenbilling.model.LedgerEntry;
import dev.tokenbilling.model.TokenBalance;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.spi.BalanceTotals;
import dev.tokenbilling.spi.LedgerPosting;
import dev.tokenbilling.spi.LedgerRepository;
import dev.tokenbilling.spi.PostingResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.result.BatchResultBearing;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.SqlStatement;

/** The ledger on PostgreSQL: one statement per posting, see {@link LedgerSql}. */
final class PostgresLedgerRepository implements LedgerRepository {

    static final String IDEMPOTENCY_INDEX = "token_transaction_idempotency";
    private static final String[] LEDGER_COLUMN_NAMES = Rows.LEDGER_COLUMNS.split(", ");
    private static final int BATCH_ATTEMPTS = 5;

    private final HandleAccess access;
    private final LedgerSql sql;

    PostgresLedgerRepository(HandleAccess access, LedgerSql sql) {
        this.access = access;
        this.sql = sql;
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
            Optional<LedgerEntry> entry = access.with(handle -> inSavepointIfNeeded(handle, posting, () ->
                    bindPosting(handle.createQuery(statement), posting, amount).map((rs, ctx) -> Rows.ledgerEntry(rs)).findOne()));
            if (entry.isPresent()) {
                return new PostingResult.Posted(entry.get());
            }
        } catch (RuntimeException e) {
            // A racing repeat of the same key got in first: the unique index refused ours.
            if (!StoreErrors.isUniqueViolation(e, IDEMPOTENCY_INDEX)) {
                throw e;
            }
        }
        return notPosted(posting);
    }

    /**
     * Inside a caller's transaction a unique violation would abort the whole transaction, so a
     * keyed posting runs under a savepoint there; alone, the statement is its own transaction.
     */
    private <T> T inSavepointIfNeeded(Handle handle, LedgerPosting posting, java.util.function.Supplier<T> work) {
        if (!access.inTransaction() || posting.idempotencyKey().isEmpty()) {
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
            Optional<LedgerEntry> original = findByIdempotencyKey(posting.userId(), posting.idempotencyKey().get());
            if (original.isPresent()) {
                return new PostingResult.Duplicate(original.get());
            }
        }
        return new PostingResult.Insufficient(balance(posting.userId()).available());
    }

    private static <S extends SqlStatement<S>> S bindPosting(S statement, LedgerPosting posting, long amount) {
        BalanceTotals totals = BalanceTotals.forEntry(posting.kind(), amount);
        return statement
                .bind("user", posting.userId().value())
                .bind("kind", posting.kind().wireName())
                .bind("amount", amount)
                .bind("tokens", posting.tokens())
                .bind("allowNegative", posting.allowNegative())
                .bind("purchaseId", posting.purchaseId().orElse(null))
                .bind("key", posting.idempotencyKey().orElse(null))
                .bind("description", posting.description())
                .bind("at", Rows.utc(posting.at()))
                .bind("purchased", totals.purchased())
                .bind("granted", totals.granted())
                .bind("used", totals.used())
                .bind("reversed", totals.reversed())
                .bind("adjusted", totals.adjusted())
                .bind("expired", totals.expired());
    }

    @Override
    public List<PostingResult> debitAll(List<LedgerPosting> postings) {
        if (postings.isEmpty()) {
            return List.of();
        }
        if (access.inTransaction()) {
            return access.with(handle -> debitAllIn(handle, postings));
        }
        for (int attempt = 1; ; attempt++) {
            try {
                return access.with(handle -> handle.inTransaction(tx -> debitAllIn(tx, postings)));
            } catch (RuntimeException e) {
                // A concurrent request used one of the keys between our check and our insert; the
                // retry sees it as a duplicate.
                if (attempt >= BATCH_ATTEMPTS || !StoreErrors.isUniqueViolation(e, IDEMPOTENCY_INDEX)) {
                    throw e;
                }
            }
        }
    }

    /**
     * One round trip for the keys already used, one pipelined JDBC batch for the debits, and one
     * query for the balances of refused items.
     */
    private List<PostingResult> debitAllIn(Handle handle, List<LedgerPosting> postings) {
        Map<String, LedgerEntry> usedBefore = findByKeys(handle, postings);
        PreparedBatch batch = handle.prepareBatch(sql.debitForBatch);
        List<Integer> batched = new ArrayList<>();
        for (int i : inLockOrder(postings)) {
            LedgerPosting posting = postings.get(i);
            if (keyOf(posting).map(usedBefore::containsKey).orElse(false)) {
                continue;
            }
            bindPosting(batch, posting, -posting.tokens()).add();
            batched.add(i);
        }
        PostingResult[] results = new PostingResult[postings.size()];
        List<Integer> refused = new ArrayList<>();
        if (!batched.isEmpty()) {
            BatchResultBearing executed = batch.executePreparedBatch(LEDGER_COLUMN_NAMES);
            List<LedgerEntry> entries = executed.map((rs, ctx) -> Rows.ledgerEntry(rs)).list();
            int[] counts = executed.modifiedRowCounts();
            int next = 0;
            for (int b = 0; b < batched.size(); b++) {
                int index = batched.get(b);
                if (counts[b] > 0) {
                    results[index] = new PostingResult.Posted(entries.get(next++));
                } else {
                    refused.add(index);
                }
            }
        }
        Map<String, LedgerEntry> usedInBatch = new HashMap<>();
        for (PostingResult result : results) {
            if (result instanceof PostingResult.Posted posted && posted.entry().idempotencyKey().isPresent()) {
                usedInBatch.put(keyId(posted.entry().userId(), posted.entry().idempotencyKey().get()), posted.entry());
            }
        }
        Map<UserId, Long> available = new HashMap<>();
        for (int i = 0; i < postings.size(); i++) {
            if (results[i] != null) {
                continue;
            }
            LedgerPosting posting = postings.get(i);
            Optional<String> key = keyOf(posting);
            LedgerEntry original = key.map(k -> usedBefore.getOrDefault(k, usedInBatch.get(k))).orElse(null);
            if (original != null) {
                results[i] = new PostingResult.Duplicate(original);
            } else {
                long availableNow = available.computeIfAbsent(posting.userId(), user -> balanceIn(handle, user).available());
                results[i] = new PostingResult.Insufficient(availableNow);
            }
        }
        return List.of(results);
    }

    /**
     * Indexes of the postings sorted by user, stably: concurrent batches then lock balance rows in
     * the same order and cannot deadlock, while each user's debits keep the caller's order.
     */
    private static List<Integer> inLockOrder(List<LedgerPosting> postings) {
        List<Integer> order = new ArrayList<>(postings.size());
        for (int i = 0; i < postings.size(); i++) {
            order.add(i);
        }
        order.sort(java.util.Comparator.comparing(i -> postings.get(i).userId().value()));
        return order;
    }

    private Map<String, LedgerEntry> findByKeys(Handle handle, List<LedgerPosting> postings) {
        List<String> users = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        for (LedgerPosting posting : postings) {
            if (posting.idempotencyKey().isPresent()) {
                users.add(posting.userId().value());
                keys.add(posting.idempotencyKey().get());
            }
        }
        Map<String, LedgerEntry> found = new HashMap<>();
        if (keys.isEmpty()) {
            return found;
        }
        handle.createQuery(sql.findByKeys)
                .bind(0, users.toArray(String[]::new))
                .bind(1, keys.toArray(String[]::new))
                .map((rs, ctx) -> Rows.ledgerEntry(rs))
                .forEach(entry -> found.put(keyId(entry.userId(), entry.idempotencyKey().orElseThrow()), entry));
        return found;
    }

    private static Optional<String> keyOf(LedgerPosting posting) {
        return posting.idempotencyKey().map(key -> keyId(posting.userId(), key));
    }

    private static String keyId(UserId user, String key) {
        return user.value() + '\u0000' + key;
    }

    @Override
    public TokenBalance balance(UserId userId) {
        return access.with(handle -> balanceIn(handle, userId));
    }

    private TokenBalance balanceIn(Handle handle, UserId userId) {
        return handle.createQuery(sql.balance)
                .bind("user", userId.value())
                .map((rs, ctx) -> Rows.balance(rs))
                .findOne()
                .orElseGet(() -> TokenBalance.empty(userId));
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
}
