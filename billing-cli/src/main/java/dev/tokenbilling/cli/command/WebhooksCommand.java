package dev.tokenbilling.cli.command;

import dev.tokenbilling.cli.CliContext;
import dev.tokenbilling.cli.CliException;
import dev.tokenbilling.cli.Durations;
import dev.tokenbilling.cli.ExitCodes;
import dev.tokenbilling.cli.Formats;
import dev.tokenbilling.cli.Output.Column;
import dev.tokenbilling.cli.Output.Style;
import dev.tokenbilling.model.PurchaseQuery;
import dev.tokenbilling.model.WebhookEventQuery;
import dev.tokenbilling.model.WebhookEventRecord;
import dev.tokenbilling.model.WebhookEventStatus;
import dev.tokenbilling.webhook.WebhookOutcome;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code billing webhooks [--failed] [--unprocessed] [--type T] [--since 1h]}: stored Stripe events, newest first. */
@Command(
        name = "webhooks",
        description = {
            "Stored Stripe webhook events, newest first (e.g. --failed --since 1h).",
            "Subcommands: 'replay EVENT_ID' processes one again; 'fetch-missed' pulls undelivered events from Stripe."
        },
        synopsisSubcommandLabel = "[COMMAND]",
        subcommands = {WebhookReplayCommand.class, WebhookFetchMissedCommand.class})
public final class WebhooksCommand extends BaseCommand {

    @Option(names = "--failed", description = "Only events whose processing failed.")
    boolean failed;

    @Option(
            names = "--unprocessed",
            description = "Only events not processed yet: received or failed (\"Tokens not added after payment\").")
    boolean unprocessed;

    @Option(names = "--type", paramLabel = "T", description = "Only this event type, e.g. payment_intent.succeeded.")
    String type;

    @Option(
            names = "--since",
            paramLabel = "DURATION",
            converter = Durations.Converter.class,
            description = "Only events received within this time: 15m, 1h, 3d.")
    Duration since;

    @Option(
            names = "--limit",
            paramLabel = "N",
            defaultValue = "50",
            description = "At most N events (default: ${DEFAULT-VALUE}).")
    int limit;

    public WebhooksCommand(CliContext context) {
        super(context);
    }

    static List<Column<WebhookEventRecord>> columns(CliContext context) {
        return List.of(
                Column.<WebhookEventRecord>of("ID", "id", WebhookEventRecord::id),
                Column.<WebhookEventRecord>of("TYPE", "type", WebhookEventRecord::type),
                Column.<WebhookEventRecord>text(
                                "STATUS",
                                "status",
                                e -> e.status().wireName(),
                                e -> e.status().wireName())
                        .styled(e -> switch (e.status()) {
                            case PROCESSED -> Style.GREEN;
                            case FAILED -> Style.RED;
                            case RECEIVED -> Style.YELLOW;
                            case IGNORED -> Style.DIM;
                        }),
                Column.<WebhookEventRecord>of("ATTEMPTS", "attempts", WebhookEventRecord::attempts)
                        .right(),
                Column.<WebhookEventRecord>of("OBJECT", "objectId", WebhookEventRecord::objectId),
                Column.<WebhookEventRecord>of("RECEIVED", "receivedAt", WebhookEventRecord::receivedAt),
                Column.<WebhookEventRecord>tableOnly("AGE", e -> Formats.age(e.receivedAt(), context.clock()))
                        .right(),
                Column.<WebhookEventRecord>of("PROCESSED", "processedAt", WebhookEventRecord::processedAt)
                        .hiddenInTable(),
                Column.<WebhookEventRecord>of("NEXT ATTEMPT", "nextAttemptAt", WebhookEventRecord::nextAttemptAt)
                        .hiddenInTable(),
                Column.<WebhookEventRecord>of("API VERSION", "apiVersion", WebhookEventRecord::apiVersion)
                        .hiddenInTable(),
                Column.<WebhookEventRecord>of("LIVE", "livemode", WebhookEventRecord::livemode)
                        .hiddenInTable(),
                Column.<WebhookEventRecord>text(
                        "ERROR",
                        "processingError",
                        WebhookEventRecord::processingError,
                        e -> Formats.shorten(e.processingError().orElse(""), 60)));
    }

    static List<Column<WebhookOutcome>> outcomeColumns() {
        return List.of(
                Column.<WebhookOutcome>text(
                        "EVENT",
                        "eventId",
                        WebhookOutcome::eventId,
                        o -> o.eventId().orElse("-")),
                Column.<WebhookOutcome>text(
                        "TYPE",
                        "eventType",
                        WebhookOutcome::eventType,
                        o -> o.eventType().orElse("-")),
                Column.<WebhookOutcome>text(
                                "OUTCOME",
                                "outcome",
                                o -> o.status().name().toLowerCase(Locale.ROOT),
                                o -> o.status().name().toLowerCase(Locale.ROOT))
                        .styled(o -> switch (o.status()) {
                            case PROCESSED -> Style.GREEN;
                            case DUPLICATE, IGNORED -> Style.DIM;
                            default -> Style.RED;
                        }),
                Column.<WebhookOutcome>of("REASON", "reason", WebhookOutcome::describe));
    }

    @Override
    protected int run() {
        if (limit < 1 || limit > PurchaseQuery.MAX_LIMIT) {
            throw CliException.usage("--limit must be between 1 and " + PurchaseQuery.MAX_LIMIT + ", was " + limit);
        }
        Set<WebhookEventStatus> statuses = EnumSet.noneOf(WebhookEventStatus.class);
        if (failed) {
            statuses.add(WebhookEventStatus.FAILED);
        }
        if (unprocessed) {
            statuses.add(WebhookEventStatus.RECEIVED);
            statuses.add(WebhookEventStatus.FAILED);
        }
        WebhookEventQuery query = new WebhookEventQuery(
                statuses,
                Optional.ofNullable(type).filter(t -> !t.isBlank()),
                Optional.ofNullable(since).map(age -> context.clock().instant().minus(age)),
                limit);
        List<WebhookEventRecord> events = service().operations().webhookEvents(query);
        out().rows(columns(context), events, "No webhook events match.");
        if (out().isTable() && events.stream().anyMatch(e -> !e.status().done())) {
            out().note(
                            "note: 'billing webhooks replay EVENT_ID' processes one again; 'billing retry' retries the due ones");
        }
        return ExitCodes.OK;
    }
}
