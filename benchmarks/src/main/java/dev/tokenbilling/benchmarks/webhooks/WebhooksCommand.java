package dev.tokenbilling.benchmarks.webhooks;

import dev.tokenbilling.benchmarks.BenchmarkDatabase;
import dev.tokenbilling.benchmarks.BenchmarkReport;
import dev.tokenbilling.benchmarks.DatabaseBenchmarkCommand;
import picocli.CommandLine.Command;

/**
 * {@code benchmarks webhooks}: signed {@code payment_intent.succeeded} deliveries for distinct purchases
 * through {@code WebhookProcessor.handle}, against a raw-JDBC handler doing the same SQL work, and
 * duplicate deliveries.
 */
@Command(
        name = "webhooks",
        mixinStandardHelpOptions = true,
        versionProvider = dev.tokenbilling.benchmarks.BenchmarksCommand.Version.class,
        description = {
            "Measures events/s of signed payment_intent.succeeded deliveries for distinct pending purchases through"
                    + " WebhookProcessor.handle (signature check included) against a raw-JDBC handler doing the same SQL work with its own"
                    + " HMAC check, in the same run; then redeliveries of the processed events (duplicates).",
            "Prints the figures, the ratios, whether the targets are met (handle >= " + WebhooksRun.HANDLE_TARGET
                    + " x baseline, duplicates >= " + WebhooksRun.DUPLICATE_TARGET
                    + " x first deliveries) and the audit;"
                    + " progress goes to stderr."
        })
public final class WebhooksCommand extends DatabaseBenchmarkCommand {

    @Override
    protected BenchmarkReport run(BenchmarkDatabase database) throws Exception {
        return new WebhooksReport(
                new WebhooksBenchmark(database, options.threads(), options.measured(), options.warmup(), System.err)
                        .run());
    }
}
