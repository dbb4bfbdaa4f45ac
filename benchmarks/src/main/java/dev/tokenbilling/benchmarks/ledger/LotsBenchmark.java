package dev.tokenbilling.benchmarks.ledger;

import dev.tokenbilling.benchmarks.BenchmarkDatabase;
import dev.tokenbilling.benchmarks.Measurement;
import dev.tokenbilling.benchmarks.Operation;
import dev.tokenbilling.benchmarks.ReportFormat;
import dev.tokenbilling.benchmarks.Throughput;
import dev.tokenbilling.model.UserId;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.stream.IntStream;

/**
 * Runs the {@code lots} benchmark: the raw-JDBC baseline ({@link RawJdbcDebit}, which walks lots when
 * a debit spans them), {@code consume}, and {@code reserve}+{@code settle} pairs, each measured on its
 * own {@value #USERS_PER_RUN} users funded alike ({@link LotLayout}), so every measured run starts
 * from the same lots; all warm-ups share one more such set. Then audits the ledger.
 */
public final class LotsBenchmark {

    public static final int USERS_PER_RUN = 2_000;
    static final String CASE = "lots";

    private final BenchmarkDatabase database;
    private final int threads;
    private final Duration measured;
    private final Duration warmup;
    private final PrintStream progress;
    private final Measurement measurement;
    private long countedDebits;

    public LotsBenchmark(
            BenchmarkDatabase database, int threads, Duration measured, Duration warmup, PrintStream progress) {
        this.database = database;
        this.threads = threads;
        this.measured = measured;
        this.warmup = warmup;
        this.progress = progress;
        this.measurement = new Measurement(threads, warmup, measured, progress);
    }

    public LotsRun run() throws Exception {
        countedDebits = 0;
        double loadBefore = ReportFormat.loadAverage();
        try (LedgerFixture fixture = LedgerFixture.create(database.dataSource(), CASE)) {
            progress.printf("schema %s on %s%n", fixture.schema(), database.description());
            LedgerCase warm = users("warmup");
            LedgerCase baselineUsers = users("baseline");
            LedgerCase consumeUsers = users("consume");
            LedgerCase pairUsers = users("reserve-settle");
            List<LedgerCase> sets = new ArrayList<>(List.of(baselineUsers, consumeUsers, pairUsers));
            if (!warmup.isZero()) {
                sets.add(0, warm);
            }
            LotLayout layout = new LotLayout(Instant.now());
            long fundingStart = System.nanoTime();
            List<UserId> everyone =
                    sets.stream().flatMap(set -> set.users().stream()).toList();
            fixture.fund(
                    everyone, threads, (service, user, index) -> layout.fund(service, user, index % USERS_PER_RUN));
            double fundingSeconds = (System.nanoTime() - fundingStart) / 1e9;
            long grants = sets.size() * LotLayout.grants(USERS_PER_RUN);
            progress.printf(
                    Locale.ROOT,
                    "[%s] funded %d sets of %,d users (%,d grants) in %.1f s%n",
                    CASE,
                    sets.size(),
                    USERS_PER_RUN,
                    grants,
                    fundingSeconds);

            Throughput baseline = measure(
                    fixture,
                    "baseline",
                    warm,
                    baselineUsers,
                    (users, run) -> RawJdbcDebit.factory(fixture.dataSource(), fixture.schema(), users, run));
            long baselineSpans = spans(fixture, baselineUsers);
            Throughput consume = measure(
                    fixture,
                    "consume",
                    warm,
                    consumeUsers,
                    (users, run) -> ConsumeDebit.factory(fixture.service(), users, run));
            long consumeSpans = spans(fixture, consumeUsers);
            Throughput pairs = measure(
                    fixture,
                    "reserve+settle",
                    warm,
                    pairUsers,
                    (users, run) -> ReserveSettle.factory(fixture.service(), users, run));
            long pairSpans = spans(fixture, pairUsers);

            progress.println("auditing the ledger");
            List<String> violations = fixture.violations();
            long usageEntries = fixture.usageEntries();
            long activeHolds = fixture.count("SELECT count(*) FROM {schema}.token_reservation WHERE status = 'active'");
            return new LotsRun(
                    database.description(),
                    fixture.schema(),
                    threads,
                    (int) measured.toSeconds(),
                    (int) warmup.toSeconds(),
                    Runtime.getRuntime().availableProcessors(),
                    USERS_PER_RUN,
                    fundingSeconds,
                    grants,
                    baseline,
                    consume,
                    pairs,
                    baselineSpans,
                    consumeSpans,
                    pairSpans,
                    violations,
                    countedDebits,
                    usageEntries,
                    activeHolds,
                    loadBefore,
                    ReportFormat.loadAverage());
        }
    }

    /** One set of {@value #USERS_PER_RUN} users: {@code bench-lots-<set>-<i>}. */
    private static LedgerCase users(String set) {
        return new LedgerCase(
                CASE + "_" + set,
                USERS_PER_RUN + " users with 1-5 lots",
                IntStream.range(0, USERS_PER_RUN)
                        .mapToObj(i -> UserId.of("bench-lots-" + set + "-" + i))
                        .toList());
    }

    /** Warms up on the shared warm-up users, then measures on the run's own users. */
    private Throughput measure(
            LedgerFixture fixture,
            String operation,
            LedgerCase warm,
            LedgerCase users,
            BiFunction<LedgerCase, String, Operation.Factory> factory) {
        String runName = CASE + "-" + operation;
        Optional<Throughput> warmed =
                warmup.isZero() ? Optional.empty() : measurement.warmUp(runName, factory.apply(warm, runName + "-w"));
        Throughput result = measurement.measure(CASE, operation, runName, factory.apply(users, runName + "-m"));
        countedDebits += warmed.map(Throughput::operations).orElse(0L) + result.operations();
        return result;
    }

    /** Small lots of the set that debits emptied: each is one debit that spanned two lots. */
    private static long spans(LedgerFixture fixture, LedgerCase users) throws Exception {
        String prefix = users.users().get(0).value().replaceFirst("-0$", "-");
        return fixture.count("SELECT count(*) FROM {schema}.token_lot WHERE closed_reason = 'used' AND user_id LIKE '"
                + prefix + "%'");
    }
}
