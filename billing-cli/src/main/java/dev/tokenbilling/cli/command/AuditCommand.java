package dev.tokenbilling.cli.command;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenbilling.cli.CliContext;
import dev.tokenbilling.cli.ExitCodes;
import dev.tokenbilling.cli.Output;
import dev.tokenbilling.cli.Output.Style;
import java.util.List;
import picocli.CommandLine.Command;

/** {@code billing audit}: checks the ledger's invariants; exit 1 when any is violated. */
@Command(
        name = "audit",
        description = {
            "Check the ledger's invariants; exit code 1 when a problem is found.",
            "Balances equal the sum of their entries, running balances add up, each credited purchase has exactly one credit,"
                    + " and usage never took a balance below zero. Read-only."
        })
public final class AuditCommand extends BaseCommand {

    public AuditCommand(CliContext context) {
        super(context);
    }

    @Override
    protected int run() {
        List<String> violations = service().operations().audit().violations();
        if (!out().isTable()) {
            ObjectNode json = Output.newObject();
            json.put("ok", violations.isEmpty());
            var array = json.putArray("violations");
            violations.forEach(array::add);
            out().document(json);
        } else if (violations.isEmpty()) {
            out().line(Style.GREEN, "✅ Ledger audit passed: every invariant holds.");
        } else {
            out().line(
                            Style.RED,
                            "❌ Ledger audit found " + violations.size() + " problem"
                                    + (violations.size() == 1 ? "" : "s") + ":");
            violations.forEach(violation -> out().line("  " + violation));
        }
        return violations.isEmpty() ? ExitCodes.OK : ExitCodes.FAILED;
    }
}
