package dev.tokenbilling.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.tokenbilling.cli.ExitCodes;
import dev.tokenbilling.cli.Formats;
import dev.tokenbilling.cli.Output.Column;
import dev.tokenbilling.cli.Output.Style;
import dev.tokenbilling.model.BillingEvent;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code billing events list|redeliver}: the outbox of billing events the library hands to the host
 * application's listeners. The CLI has no listeners, so it never delivers events itself.
 */
@Command(
        name = "events",
        description = {
            "The outbox of billing events for the application (a purchase completed, a balance low or depleted, a"
                    + " recharge, ...): 'list' shows them, 'redeliver USER ID' makes one pending again.",
            "The application delivers them to its listeners. The CLI has no listeners, so it offers no 'deliver'"
                    + " command: that would mark events delivered that no listener took."
        },
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {EventsListCommand.class, EventRedeliverCommand.class})
public final class EventsCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getErr().println("error: missing COMMAND");
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCodes.USAGE;
    }

    /** {@code delivered} or {@code pending}. */
    static String state(BillingEvent event) {
        return event.delivered() ? "delivered" : "pending";
    }

    /**
     * The events' columns; with {@code payloadAsJson} (JSON output) the payload is a JSON object,
     * otherwise (CSV) its JSON text.
     */
    static List<Column<BillingEvent>> columns(boolean payloadAsJson) {
        return List.of(
                Column.<BillingEvent>of("ID", "id", BillingEvent::id).right(),
                Column.<BillingEvent>text(
                        "USER",
                        "userId",
                        e -> e.userId().value(),
                        e -> e.userId().value()),
                Column.<BillingEvent>of("TYPE", "type", BillingEvent::type),
                Column.<BillingEvent>of("CREATED", "createdAt", BillingEvent::createdAt),
                Column.<BillingEvent>text("STATE", "state", EventsCommand::state, EventsCommand::state)
                        .styled(e -> e.delivered() ? Style.GREEN : Style.YELLOW),
                Column.<BillingEvent>of("ATTEMPTS", "attempts", BillingEvent::attempts)
                        .right(),
                Column.<BillingEvent>tableOnly(
                        "DELIVERED / NEXT ATTEMPT",
                        e -> e.deliveredAt().map(Formats::time).orElse("next " + Formats.time(e.nextAttemptAt()))),
                Column.<BillingEvent>text(
                                "LAST ERROR",
                                "lastError",
                                BillingEvent::lastError,
                                e -> Formats.shorten(e.lastError().orElse(""), 50))
                        .styled(e -> e.lastError().isPresent() ? Style.RED : Style.PLAIN),
                Column.<BillingEvent>of("DELIVERED", "deliveredAt", BillingEvent::deliveredAt)
                        .hiddenInTable(),
                Column.<BillingEvent>of("NEXT ATTEMPT", "nextAttemptAt", BillingEvent::nextAttemptAt)
                        .hiddenInTable(),
                Column.<BillingEvent>of("PAYLOAD", "payload", e -> payloadAsJson ? payload(e.payload()) : e.payload())
                        .hiddenInTable());
    }

    /** The payload as a JSON object; text that is not JSON stays text. */
    static JsonNode payload(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            return JsonNodeFactory.instance.textNode(text);
        }
    }
}
