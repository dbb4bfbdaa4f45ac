package dev.tokenbilling.cli.command;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenbilling.cli.CliContext;
import dev.tokenbilling.cli.CliException;
import dev.tokenbilling.cli.ExitCodes;
import dev.tokenbilling.cli.Output;
import dev.tokenbilling.cli.Progress;
import dev.tokenbilling.model.LedgerEntry;
import dev.tokenbilling.model.Page;
import dev.tokenbilling.model.PageRequest;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.service.TokenBillingService;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code billing ledger USER [--limit N] [--cursor C]}: ledger history, newest first, paged with the cursor. */
@Command(
        name = "ledger",
        description = {
            "A user's ledger history, newest first.",
            "Paged: the output ends with the --cursor of the next page."
        })
public final class LedgerCommand extends BaseCommand {

    static final int MAX_LIMIT = 100_000;

    @Parameters(paramLabel = "USER", description = "The user id.")
    String user;

    @Option(
            names = "--limit",
            paramLabel = "N",
            defaultValue = "50",
            description = "Entries to show (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(
            names = "--cursor",
            paramLabel = "CURSOR",
            description = "Continue after a previous page (its next cursor).")
    String cursor;

    public LedgerCommand(CliContext context) {
        super(context);
    }

    @Override
    protected int run() {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw CliException.usage("--limit must be between 1 and " + MAX_LIMIT + ", was " + limit);
        }
        UserId id = Users.id(user);
        TokenBillingService service = service();
        List<LedgerEntry> entries = new ArrayList<>();
        Optional<String> next = Optional.ofNullable(cursor);
        try (Progress progress = new Progress(out())) {
            do {
                int size = Math.min(PageRequest.MAX_LIMIT, limit - entries.size());
                Page<LedgerEntry> page = service.ledger()
                        .history(id, next.map(c -> PageRequest.after(c, size)).orElse(PageRequest.first(size)));
                entries.addAll(page.items());
                next = page.nextCursor();
                progress.update("Read " + entries.size() + " entries…");
            } while (next.isPresent() && entries.size() < limit);
        }
        if (entries.isEmpty() && cursor == null) {
            Users.known(service, id);
        }
        if (out().isJson()) {
            ObjectNode json = Output.newObject();
            json.put("userId", id.value());
            json.set("items", Output.array(Columns.ledger(), entries));
            json.put("nextCursor", next.orElse(null));
            out().json(json);
            return ExitCodes.OK;
        }
        out().rows(Columns.ledger(), entries, "No ledger entries" + (cursor == null ? "." : " after this cursor."));
        if (next.isPresent()) {
            String more = "more: billing ledger " + id.value() + " --limit " + limit + " --cursor " + next.get();
            if (out().isTable()) {
                out().line(Output.Style.DIM, "-- " + more);
            } else {
                out().note(more);
            }
        }
        return ExitCodes.OK;
    }
}
