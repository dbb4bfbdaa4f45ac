package dev.tokenbilling.benchmarks.ledger;

import dev.tokenbilling.DatabaseTopology;
import dev.tokenbilling.benchmarks.BenchmarkDatabase;
import dev.tokenbilling.benchmarks.BenchmarkReport;
import dev.tokenbilling.benchmarks.DatabaseBenchmarkCommand;
import picocli.CommandLine.Command;

/**
 * {@code benchmarks ledger}: debits per second of {@code consume} and {@code consumeBatch} against a
 * raw-JDBC baseline doing the same SQL work, with 10,000 users and with one hot user.
 */
@Command(
        name = "ledger",
        mixinStandardHelpOptions = true,
        versionProvider = dev.tokenbilling.benchmarks.BenchmarksCommand.Version.class,
        description = {
            "Measures debits/s of consume and consumeBatch(" + LedgerBenchmark.BATCH_SIZE
                    + ") against a raw-JDBC baseline"
                    + " (guarded balance UPDATE + ledger INSERT, one transaction per debit) in the same run,"
                    + " for 10,000 users and for one hot user.",
            "Prints the figures, the ratios, whether the targets are met and the ledger audit; progress goes to stderr."
        })
public final class LedgerCommand extends DatabaseBenchmarkCommand {

    @picocli.CommandLine.Option(
            names = "--prefill-entries",
            paramLabel = "N",
            defaultValue = "0",
            description =
                    "Fill the ledger with N entries of other users first (e.g. 10000000), to see the cost of a big ledger.")
    long prefillEntries;

    @picocli.CommandLine.Option(
            names = "--prefill-purchases",
            paramLabel = "N",
            defaultValue = "0",
            description = "Fill the purchases table with N purchases of other users first (e.g. 1000000).")
    long prefillPurchases;

    @picocli.CommandLine.Option(
            names = "--topology",
            paramLabel = "LAYOUT",
            defaultValue = "postgresql",
            description = "postgresql (default), or citus when --database-url is a Citus coordinator: the run's"
                    + " tables are distributed by user over the cluster's workers.")
    String topology;

    @picocli.CommandLine.Option(
            names = "--compare-single-node",
            description = "With --topology citus: run again with the tables on the coordinator alone (one node,"
                    + " same server), and print the cluster's figures as a ratio of that run's.")
    boolean compareSingleNode;

    @Override
    protected BenchmarkReport run(BenchmarkDatabase database) throws Exception {
        DatabaseTopology layout = DatabaseTopology.fromWireName(topology);
        LedgerRun run = benchmark(database, layout).run(prefillEntries, prefillPurchases);
        if (!compareSingleNode || layout != DatabaseTopology.CITUS) {
            return new LedgerReport(run);
        }
        LedgerRun singleNode = benchmark(database, DatabaseTopology.POSTGRESQL).run(prefillEntries, prefillPurchases);
        return new TopologyComparisonReport(run, singleNode);
    }

    private LedgerBenchmark benchmark(BenchmarkDatabase database, DatabaseTopology layout) {
        return new LedgerBenchmark(
                database, options.threads(), options.measured(), options.warmup(), System.err, layout);
    }
}
