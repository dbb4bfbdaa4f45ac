package dev.tokenbilling.cli.command;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenbilling.BillingSchema;
import dev.tokenbilling.cli.CliContext;
import dev.tokenbilling.cli.ExitCodes;
import dev.tokenbilling.cli.Output;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code billing migrate [--dry-run]}: applies the schema migrations, or lists the pending ones. */
@Command(name = "migrate", description = "Apply the schema migrations; --dry-run lists the pending ones.")
public final class MigrateCommand extends BaseCommand {

    @Option(names = "--dry-run", description = "List pending migrations, apply nothing.")
    boolean dryRun;

    public MigrateCommand(CliContext context) {
        super(context);
    }

    @Override
    protected int run() {
        BillingSchema schema = context.schema();
        List<String> pending = schema.pending();
        int applied = dryRun ? 0 : schema.migrate();
        String version = schema.currentVersion().orElse(null);
        if (!out().isTable()) {
            ObjectNode json = Output.newObject();
            json.put("schema", schema.schema());
            json.put("dryRun", dryRun);
            json.put("applied", applied);
            var array = json.putArray("pending");
            pending.forEach(array::add);
            json.put("version", version);
            out().document(json);
            return ExitCodes.OK;
        }
        if (dryRun) {
            if (pending.isEmpty()) {
                out().line("Schema " + schema.schema() + " is up to date (version " + version + "); nothing pending.");
            } else {
                out().line(pending.size() + " pending migration" + (pending.size() == 1 ? "" : "s") + " for schema "
                        + schema.schema() + ":");
                pending.forEach(migration -> out().line("  " + migration));
                out().line(Output.Style.DIM, "Run 'billing migrate' to apply.");
            }
        } else if (applied == 0) {
            out().line("Schema " + schema.schema() + " is up to date (version " + version + "); nothing to apply.");
        } else {
            out().line(
                            Output.Style.GREEN,
                            "✅ Applied " + applied + " migration" + (applied == 1 ? "" : "s") + " to schema "
                                    + schema.schema() + "; now at version " + version + ".");
        }
        return ExitCodes.OK;
    }
}
