package dev.tokenbilling.benchmarks.webhooks;

import dev.tokenbilling.benchmarks.BenchmarkDatabase;
import dev.tokenbilling.benchmarks.CommonOptions;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

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
public final class WebhooksCommand implements Callable<Integer> {

    @Mixin
    CommonOptions options;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        options.validate(spec);
        WebhooksRun run;
        try (BenchmarkDatabase database =
                BenchmarkDatabase.open(options.databaseUrl(), options.threads(), options.fsyncOff())) {
            run = new WebhooksBenchmark(database, options.threads(), options.measured(), options.warmup(), System.err)
                    .run();
        }
        WebhooksReport report = new WebhooksReport(run);
        report.printTable(System.out);
        if (options.json()) {
            System.out.println(report.json());
        }
        System.out.flush();
        return 0;
    }
}
