package dev.tokenbilling.benchmarks.ledger;

import dev.tokenbilling.benchmarks.RunSettings;
import java.util.List;

/**
 * Everything a ledger benchmark run measured and checked, ready to print.
 *
 * @param database where it ran, without credentials
 * @param countedDebits the debits all runs (warm-ups included) reported; should equal {@code usageEntries}
 * @param usageEntries the usage entries found in the ledger afterwards
 * @param violations what the ledger audit ({@code operations().audit()}) found; empty when the ledger is sound
 * @param prefilledEntries other users' ledger entries written before the runs ({@code --prefill-entries})
 * @param loadBefore the system's 1-minute load average before the run (negative if unknown): other
 *     work on the machine skews the figures, so the report shows it
 */
public record LedgerRun(
        String database,
        String schema,
        int threads,
        int seconds,
        int warmupSeconds,
        int cpus,
        int batchSize,
        List<LedgerCaseResult> cases,
        List<String> violations,
        long countedDebits,
        long usageEntries,
        double loadBefore,
        double loadAfter,
        long prefilledEntries,
        long prefilledPurchases)
        implements RunSettings {

    public LedgerRun {
        cases = List.copyOf(cases);
        violations = List.copyOf(violations);
    }

    public boolean ledgerSound() {
        return violations.isEmpty() && countedDebits == usageEntries;
    }

    public boolean targetsMet() {
        return cases.stream().allMatch(c -> c.consumeTargetMet() && c.batchTargetMet());
    }
}
