package dev.tokenbilling.benchmarks.ledger;

import dev.tokenbilling.DatabaseTopology;
import dev.tokenbilling.TokenBilling;
import dev.tokenbilling.benchmarks.BenchmarkSchema;
import dev.tokenbilling.benchmarks.Prefill;
import dev.tokenbilling.model.Grant;
import dev.tokenbilling.model.IdempotencyKey;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.service.TokenBillingService;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;

/**
 * The ledger a run works on: a fresh schema (migrated by the library), users funded through
 * {@code grant}, and the checks and clean-up after the run. The schema is dropped on {@link #close()}.
 */
final class LedgerFixture implements AutoCloseable {

    /** Enough that no debit of the run is ever refused for lack of tokens. */
    static final long FUNDING = 1_000_000_000_000_000L;

    private final DataSource dataSource;
    private final String schema;
    private final TokenBillingService service;

    private LedgerFixture(DataSource dataSource, String schema, TokenBillingService service) {
        this.dataSource = dataSource;
        this.schema = schema;
        this.service = service;
    }

    /** Creates and migrates a schema named after the current time and process, so runs never collide. */
    static LedgerFixture create(DataSource dataSource) {
        return create(dataSource, "ledger");
    }

    /** Like {@link #create(DataSource)}, in a schema {@code bench_<benchmark>_...}. */
    static LedgerFixture create(DataSource dataSource, String benchmark) {
        return create(dataSource, benchmark, DatabaseTopology.POSTGRESQL);
    }

    /** Like {@link #create(DataSource, String)}, the tables laid out as {@code topology} says. */
    static LedgerFixture create(DataSource dataSource, String benchmark, DatabaseTopology topology) {
        String schema = BenchmarkSchema.uniqueName(benchmark);
        TokenBilling billing = TokenBilling.builder()
                .dataSource(dataSource)
                .schema(schema)
                .topology(topology)
                .build();
        return new LedgerFixture(dataSource, schema, billing.service());
    }

    String schema() {
        return schema;
    }

    TokenBillingService service() {
        return service;
    }

    DataSource dataSource() {
        return dataSource;
    }

    /** Grants {@link #FUNDING} tokens to every user of the case, on {@code threads} threads. */
    void fund(LedgerCase ledgerCase, int threads) throws Exception {
        fund(
                ledgerCase.users(),
                threads,
                (service, user, index) -> service.ledger()
                        .grant(Grant.of(user, FUNDING, IdempotencyKey.of("bench-funding"), "benchmark funding")));
    }

    /** How one user is funded: {@code index} is the user's position in its list. */
    @FunctionalInterface
    interface Funding {
        void fund(TokenBillingService service, UserId user, int index);
    }

    /** Funds every user with {@code funding}, on {@code threads} threads. */
    void fund(List<UserId> users, int threads, Funding funding) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(threads, users.size()));
        try {
            List<Future<?>> parts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int first = t;
                parts.add(pool.submit(() -> {
                    for (int i = first; i < users.size(); i += threads) {
                        funding.fund(service, users.get(i), i);
                    }
                }));
            }
            for (Future<?> part : parts) {
                part.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** The library's own invariant checks; empty when the ledger is sound. */
    List<String> violations() {
        return service.operations().audit().violations();
    }

    /** How many usage entries the runs left (filler users' aside): must equal the debits the runs counted. */
    long usageEntries() throws SQLException {
        return count(
                "SELECT count(*) FROM {schema}.token_transaction WHERE kind = 'usage' AND user_id NOT LIKE 'fill-%'");
    }

    /** Fills the schema with other users' entries and purchases ({@link Prefill}), the default catalog first. */
    void prefill(long entries, long purchases, java.io.PrintStream progress) throws SQLException {
        if (entries <= 0 && purchases <= 0) {
            return;
        }
        dev.tokenbilling.model.DefaultCatalog.packages().forEach(service.catalog()::savePackage);
        new Prefill(dataSource, schema, progress).fill(entries, purchases);
    }

    /** A {@code SELECT count(*)} (or any single number) in this schema: {@code {schema}} in the SQL names it. */
    long count(String sql) throws SQLException {
        return BenchmarkSchema.count(dataSource, schema, sql);
    }

    /** Drops the schema; CASCADE goes around the ledger's append-only triggers, which only guard rows. */
    @Override
    public void close() throws SQLException {
        BenchmarkSchema.drop(dataSource, schema);
    }
}
