package dev.tokenbilling.cli.command;

import dev.tokenbilling.TokenBilling;
import dev.tokenbilling.cli.CliContext;
import dev.tokenbilling.cli.CliException;
import dev.tokenbilling.cli.ExitCodes;
import dev.tokenbilling.cli.Formats;
import dev.tokenbilling.cli.Output;
import dev.tokenbilling.cli.Output.Style;
import dev.tokenbilling.model.WebhookEventRecord;
import dev.tokenbilling.service.TokenBillingService;
import dev.tokenbilling.webhook.WebhookOutcome;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code billing webhooks replay EVENT_ID}: processes one stored event again, even one already
 * processed or ignored. Safe: the purchase transitions it runs move tokens at most once.
 */
@Command(
        name = "replay",
        description = {
            "Process a stored event again, e.g. after fixing what made it fail.",
            "Also replays processed and ignored events: tokens still move at most once, so a replay of a credited payment changes nothing."
        })
public final class WebhookReplayCommand extends BaseCommand {

    @Parameters(paramLabel = "EVENT_ID", description = "The Stripe event id, e.g. evt_1P...")
    String eventId;

    public WebhookReplayCommand(CliContext context) {
        super(context);
    }

    @Override
    protected int run() {
        TokenBilling billing = context.billing();
        TokenBillingService service = billing.service();
        WebhookEventRecord stored = service.operations()
                .findWebhookEvent(eventId.trim())
                .orElseThrow(() -> CliException.failed("unknown event '" + eventId
                        + "': it is not stored; 'billing webhooks' lists stored events and 'billing webhooks"
                        + " fetch-missed' pulls undelivered ones from Stripe"));
        WebhookOutcome outcome = billing.webhooks().replay(stored.id());
        if (!out().isTable()) {
            var json = Output.object(WebhooksCommand.outcomeColumns(), outcome);
            json.put("previousStatus", stored.status().wireName());
            out().document(json);
        } else {
            String label = stored.id() + " (" + stored.type() + ", was "
                    + stored.status().wireName() + ")";
            switch (outcome.status()) {
                case PROCESSED -> out().line(Style.GREEN, "✅ Replayed " + label + ": " + outcome.describe());
                case IGNORED -> out().line("⏭  Ignored " + label + ": " + outcome.describe());
                case DUPLICATE -> out().line("⏭  Nothing to do for " + label + ": " + outcome.describe());
                default -> out().line(Style.RED, "❌ Failed " + label + ": " + outcome.describe());
            }
        }
        return switch (outcome.status()) {
            case PROCESSED, IGNORED, DUPLICATE -> ExitCodes.OK;
            case FAILED_RETRYABLE -> failedForNow(service, stored.id());
            case FAILED_PERMANENT, REJECTED, TOO_LARGE -> ExitCodes.FAILED;
        };
    }

    /**
     * A replay that failed for now (the database went away, or a fact it needs has not arrived) carries
     * no error code: the stored event is read again to say when it is retried. A database that went
     * away fails that read as {@code STORE_UNAVAILABLE}, which exits with 3 like every other such failure.
     */
    private int failedForNow(TokenBillingService service, String id) {
        service.operations()
                .findWebhookEvent(id)
                .flatMap(WebhookEventRecord::nextAttemptAt)
                .ifPresent(next -> out().note("note: the event is retried automatically from " + Formats.time(next)
                        + "; 'billing retry' retries due events"));
        return ExitCodes.FAILED;
    }
}
