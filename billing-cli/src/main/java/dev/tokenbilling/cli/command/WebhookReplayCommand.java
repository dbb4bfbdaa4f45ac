package dev.tokenbilling.cli.command;

import dev.tokenbilling.TokenBilling;
import dev.tokenbilling.cli.CliContext;
import dev.tokenbilling.cli.CliException;
import dev.tokenbilling.cli.ExitCodes;
import dev.tokenbilling.cli.Output;
import dev.tokenbilling.cli.Output.Style;
import dev.tokenbilling.model.WebhookEventRecord;
import dev.tokenbilling.webhook.WebhookOutcome;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code billing webhooks replay EVENT_ID}: processes one stored event again, even one already
 * processed or ignored. Safe: the purchase transitions it runs move tokens at most once.
 */
@Command(name = "replay", description = {"Process a stored event again, e.g. after fixing what made it fail.",
    "Also replays processed and ignored events: tokens still move at most once, so a replay of a credited payment changes nothing."})
public final class WebhookReplayCommand extends BaseCommand {

    @Parameters(paramLabel = "EVENT_ID", description = "The Stripe event id, e.g. evt_1P...")
    String eventId;

    public WebhookReplayCommand(CliContext context) {
        super(context);
    }

    @Override
    protected int run() {
        out();
        TokenBilling billing = context.billing();
        WebhookEventRecord stored = billing.service().webhookEvent(eventId.trim()).orElseThrow(() -> CliException.failed(
                "unknown event '" + eventId + "': it is not stored; 'billing webhooks' lists stored events and 'billing webhooks"
                + " fetch-missed' pulls undelivered ones from Stripe"));
        WebhookOutcome outcome = billing.webhooks().replay(stored.id());
        if (!out().isTable()) {
            var json = Output.object(WebhooksCommand.outcomeColumns(), outcome);
            json.put("previousStatus", stored.status().wireName());
            out().document(json);
        } else {
            String label = stored.id() + " (" + stored.type() + ", was " + stored.status().wireName() + ")";
            switch (outcome.status()) {
                case PROCESSED -> out().line(Style.GREEN, "✅ Replayed " + label + ": " + outcome.reason());
                case IGNORED -> out().line("⏭  Ignored " + label + ": " + outcome.reason());
                case DUPLICATE -> out().line("⏭  Nothing to do for " + label + ": " + outcome.reason());
                default -> out().line(Style.RED, "❌ Failed " + label + ": " + outcome.reason());
            }
        }
        return switch (outcome.status()) {
            case PROCESSED, IGNORED, DUPLICATE -> ExitCodes.OK;
            case FAILED_RETRYABLE -> outcome.reason().contains("database unavailable") ? ExitCodes.UNREACHABLE : ExitCodes.FAILED;
            default -> ExitCodes.FAILED;
        };
    }
}
