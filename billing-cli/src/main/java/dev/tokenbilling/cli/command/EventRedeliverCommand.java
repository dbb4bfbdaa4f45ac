package dev.tokenbilling.cli.command;

import dev.tokenbilling.cli.CliContext;
import dev.tokenbilling.cli.CliException;
import dev.tokenbilling.cli.ExitCodes;
import dev.tokenbilling.cli.Output;
import dev.tokenbilling.cli.Output.Style;
import dev.tokenbilling.model.BillingEvent;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.service.OperationsService;
import dev.tokenbilling.service.TokenBillingService;
import java.time.Instant;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code billing events redeliver USER ID}: makes one billing event pending and due again, for the
 * application to deliver to its listeners once more (they deduplicate on the id).
 */
@Command(
        name = "redeliver",
        description = {
            "Make a billing event pending again, due at once: the application delivers it to its listeners again"
                    + " (they deduplicate on its id).",
            "The CLI does not deliver it itself. An event already pending and due is left as it is."
        })
public final class EventRedeliverCommand extends BaseCommand {

    @Parameters(index = "0", paramLabel = "USER", description = "The event's user id.")
    String user;

    @Parameters(index = "1", paramLabel = "ID", description = "The event id ('billing events list' shows it).")
    long id;

    public EventRedeliverCommand(CliContext context) {
        super(context);
    }

    @Override
    protected int run() {
        TokenBillingService service = service();
        UserId userId = Users.id(user);
        Instant now = context.clock().instant();
        Optional<BillingEvent> due = service
                .operations()
                .billingEvents(Optional.of(userId), Optional.of(false), OperationsService.MAX_LIMIT)
                .stream()
                .filter(event -> event.id() == id && !event.nextAttemptAt().isAfter(now))
                .findFirst();
        boolean changed = due.isEmpty();
        if (changed && !service.operations().redeliverEvent(userId, id)) {
            throw CliException.failed("unknown event " + id + " of user '" + userId.value()
                    + "': 'billing events list --user " + userId.value() + "' lists the user's events");
        }
        if (!out().isTable()) {
            var json = Output.newObject();
            json.put("id", id);
            json.put("userId", userId.value());
            json.put("changed", changed);
            out().document(json);
        } else if (changed) {
            out().line(
                            Style.GREEN,
                            "🔁 Event " + id + " of " + userId.value()
                                    + " is pending again: the application delivers it on its next run.");
        } else {
            out().line("⏭  Event " + id + " of " + userId.value() + " is already pending and due; nothing changed.");
        }
        return ExitCodes.OK;
    }
}
