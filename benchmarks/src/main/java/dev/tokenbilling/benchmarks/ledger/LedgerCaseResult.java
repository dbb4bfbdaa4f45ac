package dev.tokenbilling.benchmarks.ledger;

import dev.tokenbilling.benchmarks.ReportFormat;
import dev.tokenbilling.benchmarks.Throughput;

/** The three measured runs of one case and how they compare with the targets. */
public record LedgerCaseResult(LedgerCase ledgerCase, Throughput baseline, Throughput consume, Throughput batch) {

    /** {@code consume} should reach at least this fraction of the baseline's ops/s. */
    public static final double CONSUME_TARGET = 0.9;

    public double consumeRatio() {
        return ratio(consume, baseline);
    }

    public double batchRatio() {
        return ratio(batch, baseline);
    }

    public boolean consumeTargetMet() {
        return consumeRatio() >= CONSUME_TARGET;
    }

    public boolean batchTargetMet() {
        return batchRatio() >= ledgerCase.batchTarget();
    }

    public long failures() {
        return baseline.failures() + consume.failures() + batch.failures();
    }

    private static double ratio(Throughput measured, Throughput reference) {
        return ReportFormat.ratio(measured, reference);
    }
}
