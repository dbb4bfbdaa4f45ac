package dev.tokenbilling.benchmarks.ledger;

import dev.tokenbilling.benchmarks.ReportFormat;
import dev.tokenbilling.benchmarks.RunSettings;
import dev.tokenbilling.benchmarks.Throughput;
import java.util.List;

/**
 * Everything a {@code lots} run measured and checked, ready to print.
 *
 * @param baselineSpans, consumeSpans, pairSpans lots emptied during each measured run: each one is a
 *     debit (or a settle) that crossed a lot boundary, see {@link LotLayout}
 * @param countedDebits debits and settles all runs (warm-ups included) reported; should equal {@code usageEntries}
 * @param activeHolds reservations still active afterwards: a pair whose settle failed leaves one
 */
public record LotsRun(
        String database,
        String schema,
        int threads,
        int seconds,
        int warmupSeconds,
        int cpus,
        int usersPerRun,
        double fundingSeconds,
        long grants,
        Throughput baseline,
        Throughput consume,
        Throughput pairs,
        long baselineSpans,
        long consumeSpans,
        long pairSpans,
        List<String> violations,
        long countedDebits,
        long usageEntries,
        long activeHolds,
        double loadBefore,
        double loadAfter)
        implements RunSettings {

    /** {@code consume} should reach at least this fraction of the baseline's debits/s. */
    public static final double CONSUME_TARGET = 0.7;
    /** reserve+settle pairs should reach at least this fraction of the baseline's single debits/s. */
    public static final double PAIRS_TARGET = 0.5;

    public LotsRun {
        violations = List.copyOf(violations);
    }

    public double consumeRatio() {
        return ReportFormat.ratio(consume, baseline);
    }

    /** Pairs per second against the baseline's debits per second (a pair is a hold and a debit). */
    public double pairsRatio() {
        return ReportFormat.ratio(pairs, baseline);
    }

    public boolean consumeTargetMet() {
        return consumeRatio() >= CONSUME_TARGET;
    }

    public boolean pairsTargetMet() {
        return pairsRatio() >= PAIRS_TARGET;
    }

    public boolean targetsMet() {
        return consumeTargetMet() && pairsTargetMet();
    }

    public static double share(long spans, Throughput run) {
        return run.operations() == 0 ? 0 : (double) spans / run.operations();
    }

    public boolean ledgerSound() {
        return violations.isEmpty() && countedDebits == usageEntries && activeHolds == 0;
    }
}
