package dev.tokenbilling.benchmarks.ledger;

import dev.tokenbilling.benchmarks.BenchmarkDatabase;
import dev.tokenbilling.benchmarks.BenchmarkReport;
import dev.tokenbilling.benchmarks.DatabaseBenchmarkCommand;
import picocli.CommandLine.Command;

/**
 * {@code benchmarks lots}: {@code consume} and {@code reserve}+{@code settle} pairs when users hold up
 * to five lots, against the same raw-JDBC baseline as {@code ledger} (which walks the lots when a
 * debit spans them).
 */
@Command(
        name = "lots",
        mixinStandardHelpOptions = true,
        versionProvider = dev.tokenbilling.benchmarks.BenchmarksCommand.Version.class,
        description = {
            "Measures debits/s of consume and reserve+settle pairs/s when users hold 1-5 lots (grants with different priorities"
                    + " and expiries; some debits span lot boundaries), against the ledger's raw-JDBC baseline in the same run"
                    + " (" + LotsBenchmark.USERS_PER_RUN + " fresh users per run).",
            "Prints the figures, the ratios, whether consume reaches " + LotsRun.CONSUME_TARGET
                    + " x baseline, and the ledger audit;" + " progress goes to stderr."
        })
public final class LotsCommand extends DatabaseBenchmarkCommand {

    @Override
    protected BenchmarkReport run(BenchmarkDatabase database) throws Exception {
        return new LotsReport(
                new LotsBenchmark(database, options.threads(), options.measured(), options.warmup(), System.err).run());
    }
}
