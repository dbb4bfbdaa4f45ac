package dev.tokenbilling.cli.command;

import dev.tokenbilling.cli.CliContext;
import dev.tokenbilling.cli.CliException;
import dev.tokenbilling.cli.ExitCodes;
import dev.tokenbilling.model.BillingEvent;
import dev.tokenbilling.service.OperationsService;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code billing events list [--pending|--delivered] [--user U] [--limit N]}: outbox events, newest first. */
@Command(
        name = "list",
        description = {
            "Billing events of the outbox, newest first: pending ones with their attempts, next attempt and last"
                    + " error (\"the app never heard of the purchase\"), delivered ones with when.",
            "With --output json, each event's payload is a JSON object."
        })
public final class EventsListCommand extends BaseCommand {

    @Option(names = "--pending", description = "Only events no listener took yet.")
    boolean pending;

    @Option(names = "--delivered", description = "Only delivered events.")
    boolean delivered;

    @Option(names = "--user", paramLabel = "U", description = "Only this user's events.")
    String user;

    @Option(
            names = "--limit",
            paramLabel = "N",
            defaultValue = "50",
            description = "At most N events (default: ${DEFAULT-VALUE}).")
    int limit;

    public EventsListCommand(CliContext context) {
        super(context);
    }

    @Override
    protected int run() {
        if (pending && delivered) {
            throw CliException.usage("--pending and --delivered exclude each other; give one, or neither for all");
        }
        if (limit < 1 || limit > OperationsService.MAX_LIMIT) {
            throw CliException.usage("--limit must be between 1 and " + OperationsService.MAX_LIMIT + ", was " + limit);
        }
        Optional<Boolean> which = pending ? Optional.of(false) : delivered ? Optional.of(true) : Optional.empty();
        List<BillingEvent> events =
                service().operations().billingEvents(Optional.ofNullable(user).map(Users::id), which, limit);
        out().rows(EventsCommand.columns(out().isJson()), events, "No billing events match.");
        if (out().isTable() && events.stream().anyMatch(e -> e.lastError().isPresent() && !e.delivered())) {
            out().note("note: the application retries pending events; 'billing events redeliver USER ID' makes one"
                    + " due at once");
        }
        return ExitCodes.OK;
    }
}
