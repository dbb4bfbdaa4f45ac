package dev.tokenbilling.benchmarks.ledger;

import dev.tokenbilling.DatabaseTopology;
import dev.tokenbilling.benchmarks.BenchmarkDatabase;
import dev.tokenbilling.benchmarks.BenchmarkSchema;
import dev.tokenbilling.benchmarks.Measurement;
import dev.tokenbilling.benchmarks.Operation;
import dev.tokenbilling.benchmarks.ReportFormat;
import dev.tokenbilling.benchmarks.Throughput;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Runs the ledger benchmark: for each case, funds its users, then warms up and measures the raw-JDBC
 * baseline, {@code consume} and {@code consumeBatch} in turn, all in one schema of one database;
 * finally audits the ledger. Progress goes to {@code progress}; the figures come back as a {@link LedgerRun}.
 */
public final class LedgerBenchmark {

    static final long DEBIT_TOKENS = 10;
    static final String DESCRIPTION = "benchmark";
    public static final int BATCH_SIZE = 100;
    public static final int MANY_USERS = 10_000;

    private final BenchmarkDatabase database;
    private final int threads;
    private final Duration measured;
    private final Duration warmup;
    private final PrintStream progress;
    private final DatabaseTopology topology;
    private final Measurement measurement;
    private long countedDebits;

    public LedgerBenchmark(
            BenchmarkDatabase database, int threads, Duration measured, Duration warmup, PrintStream progress) {
        this(database, threads, measured, warmup, progress, DatabaseTopology.POSTGRESQL);
    }

    /** On {@code topology}: {@code CITUS} distributes the run's schema over the cluster {@code database} coordinates. */
    public LedgerBenchmark(
            BenchmarkDatabase database,
            int threads,
            Duration measured,
            Duration warmup,
            PrintStream progress,
            DatabaseTopology topology) {
        this.topology = topology;
        this.database = database;
        this.threads = threads;
        this.measured = measured;
        this.warmup = warmup;
        this.progress = progress;
        this.measurement = new Measurement(threads, warmup, measured, progress);
    }

    public LedgerRun run() throws Exception {
        return run(0, 0);
    }

    /** Runs after filling the schema with {@code prefillEntries} ledger entries and {@code prefillPurchases} purchases of other users. */
    public LedgerRun run(long prefillEntries, long prefillPurchases) throws Exception {
        countedDebits = 0;
        try (LedgerFixture fixture = LedgerFixture.create(database.dataSource(), "ledger", topology)) {
            progress.printf("schema %s on %s%n", fixture.schema(), description());
            fixture.prefill(prefillEntries, prefillPurchases, progress);
            double loadBefore = ReportFormat.loadAverage();
            List<LedgerCaseResult> results = new ArrayList<>();
            for (LedgerCase ledgerCase : List.of(LedgerCase.manyUsers(MANY_USERS), LedgerCase.hotUser())) {
                results.add(runCase(fixture, ledgerCase));
            }
            progress.println("auditing the ledger");
            List<String> violations = fixture.violations();
            long usageEntries = fixture.usageEntries();
            return new LedgerRun(
                    description(),
                    fixture.schema(),
                    threads,
                    (int) measured.toSeconds(),
                    (int) warmup.toSeconds(),
                    Runtime.getRuntime().availableProcessors(),
                    BATCH_SIZE,
                    results,
                    violations,
                    countedDebits,
                    usageEntries,
                    loadBefore,
                    ReportFormat.loadAverage(),
                    prefillEntries,
                    prefillPurchases);
        }
    }

    /** The database, and on Citus the layout and the cluster's workers. */
    private String description() throws java.sql.SQLException {
        if (topology != DatabaseTopology.CITUS) {
            return database.description();
        }
        return database.description() + ", topology citus ("
                + BenchmarkSchema.count(
                        database.dataSource(), "public", "SELECT count(*) FROM citus_get_active_worker_nodes()")
                + " workers)";
    }

    private LedgerCaseResult runCase(LedgerFixture fixture, LedgerCase ledgerCase) throws Exception {
        String name = ledgerCase.key();
        long fundingStart = System.nanoTime();
        fixture.fund(ledgerCase, threads);
        int users = ledgerCase.users().size();
        progress.printf(
                Locale.ROOT,
                "[%s] funded %,d %s in %.1f s%n",
                name,
                users,
                users == 1 ? "user" : "users",
                (System.nanoTime() - fundingStart) / 1e9);
        Throughput baseline = measure(
                ledgerCase,
                "baseline",
                run -> RawJdbcDebit.factory(fixture.dataSource(), fixture.schema(), ledgerCase, run));
        Throughput consume =
                measure(ledgerCase, "consume", run -> ConsumeDebit.factory(fixture.service(), ledgerCase, run));
        Throughput batch = measure(
                ledgerCase, "consumeBatch", run -> BatchDebit.factory(fixture.service(), ledgerCase, run, BATCH_SIZE));
        return new LedgerCaseResult(ledgerCase, baseline, consume, batch);
    }

    /** Warms up, then measures; {@code factory} gets a run name that keeps idempotency keys unique. */
    private Throughput measure(LedgerCase ledgerCase, String operation, Function<String, Operation.Factory> factory) {
        Measurement.Phases phases = measurement.run(ledgerCase.key(), operation, factory);
        countedDebits += phases.operations();
        return phases.measured();
    }
}
