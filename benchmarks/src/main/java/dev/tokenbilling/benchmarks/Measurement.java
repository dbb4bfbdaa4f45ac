package dev.tokenbilling.benchmarks;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * Warm-up then measured run of one operation, with the progress line every benchmark prints:
 * {@code [case] operation  1,234.5 /s}. The factory gets a run name ({@code <case>-<operation>-w} for
 * the warm-up, {@code ...-m} for the measured run) that keeps idempotency keys unique, and is called
 * before each run starts, so whatever it prepares is not timed.
 */
public final class Measurement {

    private final ThroughputRunner runner;
    private final Duration warmup;
    private final Duration measured;
    private final PrintStream progress;

    public Measurement(int threads, Duration warmup, Duration measured, PrintStream progress) {
        this.runner = new ThroughputRunner(threads);
        this.warmup = warmup;
        this.measured = measured;
        this.progress = progress;
    }

    /** What the warm-up (if any) and the measured run did; both count towards what the ledger must hold. */
    public record Phases(Optional<Throughput> warmup, Throughput measured) {

        /** Operations of both runs. */
        public long operations() {
            return warmup.map(Throughput::operations).orElse(0L) + measured.operations();
        }
    }

    /** Warms up (unless the warm-up is 0 s), then measures, then prints the progress line. */
    public Phases run(String caseKey, String operation, Function<String, Operation.Factory> factory) {
        String runName = caseKey + "-" + operation;
        Optional<Throughput> warm = warmup.isZero() ? Optional.empty() : warmUp(runName, factory.apply(runName + "-w"));
        return new Phases(warm, measure(caseKey, operation, runName, factory.apply(runName + "-m")));
    }

    /** The warm-up run alone: empty when the warm-up is 0 s (the factory is then never opened). */
    public Optional<Throughput> warmUp(String runName, Operation.Factory factory) {
        return warmup.isZero() ? Optional.empty() : Optional.of(runner.run(runName + "-warmup", warmup, factory));
    }

    /** The measured run alone, followed by its progress line. */
    public Throughput measure(String caseKey, String operation, String runName, Operation.Factory factory) {
        Throughput result = runner.run(runName, measured, factory);
        progress.printf(
                Locale.ROOT,
                "[%s] %-12s %,12.1f /s%s%n",
                caseKey,
                operation,
                result.perSecond(),
                result.failures() == 0
                        ? ""
                        : "  (" + result.failures() + " failed calls, first: "
                                + result.firstFailure().orElse("") + ")");
        return result;
    }

    public Duration warmup() {
        return warmup;
    }

    public Duration measured() {
        return measured;
    }
}
