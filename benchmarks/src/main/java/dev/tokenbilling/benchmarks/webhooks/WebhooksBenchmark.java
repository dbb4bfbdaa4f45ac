package dev.tokenbilling.benchmarks.webhooks;

import dev.tokenbilling.benchmarks.BenchmarkDatabase;
import dev.tokenbilling.benchmarks.Measurement;
import dev.tokenbilling.benchmarks.Operation;
import dev.tokenbilling.benchmarks.ReportFormat;
import dev.tokenbilling.benchmarks.Throughput;
import dev.tokenbilling.webhook.WebhookOutcome;
import dev.tokenbilling.webhook.WebhookProcessor;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * Runs the webhooks benchmark: first deliveries through the raw-JDBC baseline, then through
 * {@code WebhookProcessor.handle}, each on its own freshly made pending purchases; then the events
 * {@code handle} processed, delivered again (duplicates); finally checks that every processed first
 * delivery completed exactly one purchase with one credit and one lot.
 *
 * <p>First deliveries use each event once, so each run gets as many purchases as it can use: the
 * warm-up {@value #GUESS_PER_SECOND} events/s with {@value #HEADROOM}x headroom, the measured run its
 * warm-up's rate with the same headroom. A run that still delivers all its events stops early, and
 * its figure covers the time it ran (the report says so).
 */
public final class WebhooksBenchmark {

    static final String CASE = "webhooks";
    static final double GUESS_PER_SECOND = 4_000;
    static final double HEADROOM = 2.5;
    static final int MAX_EVENTS_PER_RUN = 1_000_000;

    private final BenchmarkDatabase database;
    private final int threads;
    private final Duration measured;
    private final Duration warmup;
    private final PrintStream progress;
    private final Measurement measurement;

    public WebhooksBenchmark(
            BenchmarkDatabase database, int threads, Duration measured, Duration warmup, PrintStream progress) {
        this.database = database;
        this.threads = threads;
        this.measured = measured;
        this.warmup = warmup;
        this.progress = progress;
        this.measurement = new Measurement(threads, warmup, measured, progress);
    }

    public WebhooksRun run() throws Exception {
        double loadBefore = ReportFormat.loadAverage();
        StripePayloads.checkSigning(WebhooksFixture.SECRET);
        try (WebhooksFixture fixture = WebhooksFixture.create(database.dataSource())) {
            progress.printf("schema %s on %s%n", fixture.schema(), database.description());
            WebhookProcessor webhooks = fixture.billing().webhooks();
            List<SignedEvent> processedByHandle = new ArrayList<>();

            WebhooksRun.Side baseline = firstDeliveries(
                    fixture,
                    "baseline",
                    "bench-wh-baseline-user-",
                    new ArrayList<>(),
                    pool -> RawJdbcWebhook.factory(
                            fixture.dataSource(),
                            fixture.schema(),
                            pool,
                            WebhooksFixture.SECRET,
                            WebhooksFixture.TOLERANCE));
            WebhooksRun.Side handle = firstDeliveries(
                    fixture,
                    "handle",
                    "bench-wh-handle-user-",
                    processedByHandle,
                    pool -> HandleDelivery.factory(webhooks, pool, WebhookOutcome.Status.PROCESSED));

            progress.printf(
                    Locale.ROOT, "[%s] redelivering the %,d events handle processed%n", CASE, processedByHandle.size());
            Throughput duplicates = measurement
                    .run(
                            CASE,
                            "duplicates",
                            run -> HandleDelivery.factory(
                                    webhooks,
                                    EventPool.cycling(WebhooksFixture.resign(processedByHandle)),
                                    WebhookOutcome.Status.DUPLICATE))
                    .measured();

            progress.println("auditing the purchases and the ledger");
            List<String> violations = fixture.violations();
            return new WebhooksRun(
                    database.description(),
                    fixture.schema(),
                    threads,
                    (int) measured.toSeconds(),
                    (int) warmup.toSeconds(),
                    Runtime.getRuntime().availableProcessors(),
                    baseline,
                    handle,
                    duplicates,
                    processedByHandle.size(),
                    violations,
                    baseline.processed() + handle.processed(),
                    fixture.count("SELECT count(*) FROM {schema}.token_purchase WHERE status = 'completed'"),
                    fixture.count("SELECT count(*) FROM {schema}.token_transaction WHERE kind = 'purchase'"),
                    fixture.count("SELECT count(*) FROM {schema}.token_lot WHERE source = 'purchase'"),
                    fixture.count("SELECT count(*) FROM {schema}.webhook_event WHERE status = 'processed'"),
                    loadBefore,
                    ReportFormat.loadAverage());
        }
    }

    /**
     * Warm-up and measured run of first deliveries, each on purchases made for it just before it
     * starts; {@code delivered} collects the events the runs took (for the duplicate run).
     */
    private WebhooksRun.Side firstDeliveries(
            WebhooksFixture fixture,
            String operation,
            String users,
            List<SignedEvent> delivered,
            Function<EventPool, Operation.Factory> factory)
            throws Exception {
        String runName = CASE + "-" + operation;
        Optional<Throughput> warm = Optional.empty();
        if (!warmup.isZero()) {
            EventPool pool = prepare(fixture, operation + "_w", users, eventsFor(GUESS_PER_SECOND, warmup));
            warm = measurement.warmUp(runName, factory.apply(pool));
            delivered.addAll(pool.taken());
        }
        double expected =
                warm.map(Throughput::perSecond).filter(rate -> rate > 0).orElse(GUESS_PER_SECOND);
        EventPool pool = prepare(fixture, operation + "_m", users, eventsFor(expected, measured));
        Throughput result = measurement.measure(CASE, operation, runName, factory.apply(pool));
        delivered.addAll(pool.taken());
        if (pool.ranOut()) {
            progress.printf(
                    Locale.ROOT,
                    "[%s] %s delivered all %,d prepared events in %.1f s%n",
                    CASE,
                    operation,
                    pool.size(),
                    result.elapsed().toNanos() / 1e9);
        }
        return new WebhooksRun.Side(warm, result, pool.size(), pool.ranOut());
    }

    private int eventsFor(double perSecond, Duration duration) {
        double events = perSecond * duration.toMillis() / 1000.0 * HEADROOM + threads * 50;
        return (int) Math.min(MAX_EVENTS_PER_RUN, Math.ceil(events));
    }

    private EventPool prepare(WebhooksFixture fixture, String pool, String users, int events) throws Exception {
        long start = System.nanoTime();
        EventPool prepared = EventPool.once(fixture.prepare(pool, users, events));
        progress.printf(
                Locale.ROOT,
                "[%s] %,d pending purchases and signed events for %s in %.1f s%n",
                CASE,
                events,
                pool,
                (System.nanoTime() - start) / 1e9);
        return prepared;
    }
}
