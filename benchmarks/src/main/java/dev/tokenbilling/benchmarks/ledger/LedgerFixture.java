package dev.tokenbilling.benchmarks.ledger;

import dev.tokenbilling.LedgerAudit;
import dev.tokenbilling.TokenBilling;
import dev.tokenbilling.TokenBillingService;
import dev.tokenbilling.model.UserId;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
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
        String schema = "bench_ledger_" + LocalDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss"))
                + "_" + ProcessHandle.current().pid();
        TokenBilling billing = TokenBilling.builder().dataSource(dataSource).schema(schema).build();
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
        List<UserId> users = ledgerCase.users();
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(threads, users.size()));
        try {
            List<Future<?>> parts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int first = t;
                parts.add(pool.submit(() -> {
                    for (int i = first; i < users.size(); i += threads) {
                        service.grant(users.get(i), FUNDING, "benchmark funding", "bench-funding");
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
        return LedgerAudit.of(dataSource, schema).violations();
    }

    /** How many usage entries the ledger holds: must equal the debits the runs counted. */
    long usageEntries() throws SQLException {
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("SELECT count(*) FROM " + schema + ".token_transaction WHERE kind = 'usage'")) {
            row.next();
            return row.getLong(1);
        }
    }

    /** Drops the schema; CASCADE goes around the ledger's append-only triggers, which only guard rows. */
    @Override
    public void close() throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("DROP SCHEMA " + schema + " CASCADE");
        }
    }
}
