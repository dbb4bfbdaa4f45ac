package dev.tokenbilling.benchmarks.ledger;

import dev.tokenbilling.benchmarks.BenchmarkDatabase;
import dev.tokenbilling.benchmarks.CommonOptions;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

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
public final class LotsCommand implements Callable<Integer> {

    @Mixin
    CommonOptions options;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        options.validate(spec);
        LotsRun run;
        try (BenchmarkDatabase database =
                BenchmarkDatabase.open(options.databaseUrl(), options.threads(), options.fsyncOff())) {
            run = new LotsBenchmark(database, options.threads(), options.measured(), options.warmup(), System.err)
                    .run();
        }
        LotsReport report = new LotsReport(run);
        report.printTable(System.out);
        if (options.json()) {
            System.out.println(report.json());
        }
        System.out.flush();
        return 0;
    }
}
