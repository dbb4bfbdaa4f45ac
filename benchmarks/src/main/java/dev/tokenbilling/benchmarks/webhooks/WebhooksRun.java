package dev.tokenbilling.benchmarks.webhooks;

import dev.tokenbilling.benchmarks.ReportFormat;
import dev.tokenbilling.benchmarks.RunSettings;
import dev.tokenbilling.benchmarks.Throughput;
import java.util.List;
import java.util.Optional;

/**
 * Everything a webhooks run measured and checked, ready to print.
 *
 * @param duplicateEvents the distinct events (those {@code handle} processed) the duplicate run redelivered, over and over
 * @param countedFirstDeliveries first deliveries of both sides that the runs (warm-ups included) counted as processed:
 *     should equal the completed purchases, their credits, their lots and the processed events
 */
public record WebhooksRun(
        String database,
        String schema,
        int threads,
        int seconds,
        int warmupSeconds,
        int cpus,
        Side baseline,
        Side handle,
        Throughput duplicates,
        int duplicateEvents,
        List<String> violations,
        long countedFirstDeliveries,
        long completedPurchases,
        long purchaseCredits,
        long purchaseLots,
        long processedEvents,
        double loadBefore,
        double loadAfter)
        implements RunSettings {

    /** {@code handle} should process first deliveries at least at this fraction of the baseline's rate. */
    public static final double HANDLE_TARGET = 0.8;
    /** Duplicate deliveries should go at least this many times as fast as first deliveries through {@code handle}. */
    public static final double DUPLICATE_TARGET = 10.0;

    public WebhooksRun {
        violations = List.copyOf(violations);
    }

    /**
     * One side's first deliveries.
     *
     * @param prepared the pending purchases (and signed events) made for the measured run
     * @param ranOut true when all of them were delivered before the time was up: the figure then covers the time it ran
     */
    public record Side(Optional<Throughput> warmup, Throughput measured, int prepared, boolean ranOut) {

        long processed() {
            return warmup.map(Throughput::operations).orElse(0L) + measured.operations();
        }
    }

    public double handleRatio() {
        return ReportFormat.ratio(handle.measured(), baseline.measured());
    }

    public double duplicateRatio() {
        return ReportFormat.ratio(duplicates, handle.measured());
    }

    public boolean handleTargetMet() {
        return handleRatio() >= HANDLE_TARGET;
    }

    public boolean duplicateTargetMet() {
        return duplicateRatio() >= DUPLICATE_TARGET;
    }

    public boolean targetsMet() {
        return handleTargetMet() && duplicateTargetMet();
    }

    /** Every processed first delivery completed one purchase with one credit and one lot, and nothing else did. */
    public boolean ledgerSound() {
        return violations.isEmpty()
                && completedPurchases == countedFirstDeliveries
                && purchaseCredits == countedFirstDeliveries
                && purchaseLots == countedFirstDeliveries
                && processedEvents == countedFirstDeliveries;
    }
}
