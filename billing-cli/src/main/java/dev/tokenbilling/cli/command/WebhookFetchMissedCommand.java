package dev.tokenbilling.cli.command;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenbilling.cli.CliContext;
import dev.tokenbilling.cli.CliException;
import dev.tokenbilling.cli.Durations;
import dev.tokenbilling.cli.ExitCodes;
import dev.tokenbilling.cli.Formats;
import dev.tokenbilling.cli.Output;
import dev.tokenbilling.cli.Output.Style;
import dev.tokenbilling.cli.Progress;
import dev.tokenbilling.reconcile.MissedEventsReport;
import dev.tokenbilling.reconcile.Reconciler;
import dev.tokenbilling.webhook.WebhookOutcome;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code billing webhooks fetch-missed [--since 3d]}: pulls events Stripe could not deliver and processes the new ones. */
@Command(
        name = "fetch-missed",
        description = {
            "Pull events Stripe could not deliver and process them.",
            "Lists Stripe's events of the last --since (at most 30d: Stripe keeps 30 days) and processes those never stored"
                    + " here: recovers payments whose webhook never arrived."
        })
public final class WebhookFetchMissedCommand extends BaseCommand {

    @Option(
            names = "--since",
            paramLabel = "DURATION",
            defaultValue = "3d",
            converter = Durations.Converter.class,
            description = "How far back (default: ${DEFAULT-VALUE}; at most 30d).")
    Duration since;

    public WebhookFetchMissedCommand(CliContext context) {
        super(context);
    }

    @Override
    protected int run() {
        if (since.isZero() || since.compareTo(Reconciler.MAX_EVENT_LOOKBACK) > 0) {
            throw CliException.usage("--since must be between 1s and 30d (Stripe keeps events for 30 days), was "
                    + Durations.format(since));
        }
        Reconciler reconciler = billingWithStripe(false).reconciler();
        MissedEventsReport report;
        try (Progress progress = new Progress(out())) {
            progress.update("Listing Stripe events of the last " + Durations.format(since) + "…");
            report = reconciler.fetchMissedEvents(since);
        }
        long failed = report.processed().stream()
                .filter(o -> o.status() == WebhookOutcome.Status.FAILED_PERMANENT
                        || o.status() == WebhookOutcome.Status.FAILED_RETRYABLE
                        || o.status() == WebhookOutcome.Status.REJECTED)
                .count();
        if (!out().isTable()) {
            ObjectNode json = Output.newObject();
            json.put("since", context.clock().instant().minus(since).toString());
            json.put("listed", report.listed());
            json.put("alreadyStored", report.alreadyStored());
            json.set("processed", Output.array(WebhooksCommand.outcomeColumns(), report.processed()));
            out().document(json);
        } else {
            out().rows(
                            WebhooksCommand.outcomeColumns(),
                            report.processed(),
                            "No missed events: every event Stripe listed is stored here.");
            out().line("");
            out().line(
                            failed > 0 ? Style.YELLOW : Style.GREEN,
                            "Stripe listed " + report.listed() + " event" + (report.listed() == 1 ? "" : "s")
                                    + " since "
                                    + Formats.time(context.clock().instant().minus(since)) + ": "
                                    + report.alreadyStored() + " already stored, "
                                    + report.processed().size() + " fetched"
                                    + (failed > 0 ? ", " + failed + " failed" : "") + ".");
        }
        return failed > 0 ? ExitCodes.FAILED : ExitCodes.OK;
    }
}
