package dev.tokenbilling.cli.command;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenbilling.cli.CliContext;
import dev.tokenbilling.cli.CliException;
import dev.tokenbilling.cli.ExitCodes;
import dev.tokenbilling.cli.Output;
import dev.tokenbilling.cli.Output.Style;
import dev.tokenbilling.model.RechargeRunReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code billing recharge run [--limit N]}: one run of the auto-recharge worker, which the host
 * application normally schedules: each due recharge is bought off-session with the rule's saved card.
 */
@Command(
        name = "run",
        description = {
            "Buy the due auto-recharges once, off-session with each rule's saved card (the application's scheduler"
                    + " normally does this). Needs " + CliContext.SECRET_KEY + ".",
            "A declined card is retried on a later run, then pauses the rule; a card that needs the user pauses it at"
                    + " once. Safe to run next to the application: each recharge is bought at most once."
        })
public final class RechargeRunCommand extends BaseCommand {

    @Option(
            names = "--limit",
            paramLabel = "N",
            defaultValue = "100",
            description = "At most N recharges (default: ${DEFAULT-VALUE}).")
    int limit;

    public RechargeRunCommand(CliContext context) {
        super(context);
    }

    @Override
    protected int run() {
        if (limit < 1 || limit > RechargeCommand.MAX_LIMIT) {
            throw CliException.usage("--limit must be between 1 and " + RechargeCommand.MAX_LIMIT + ", was " + limit);
        }
        RechargeRunReport report = billingWithStripe(true).service().recharge().runDue(limit);
        if (!out().isTable()) {
            ObjectNode json = Output.newObject();
            json.put("leased", report.leased());
            json.put("paid", report.paid());
            json.put("declined", report.declined());
            json.put("needsAction", report.needsAction());
            json.put("skipped", report.skipped());
            out().document(json);
            return ExitCodes.OK;
        }
        if (report.leased() == 0) {
            out().line("No auto-recharges are due; nothing changed.");
            return ExitCodes.OK;
        }
        boolean trouble = report.declined() > 0 || report.needsAction() > 0;
        out().line(
                        trouble ? Style.YELLOW : Style.GREEN,
                        "Took " + report.leased() + " due auto-recharge" + (report.leased() == 1 ? "" : "s") + ": "
                                + report.paid() + " paid, " + report.declined() + " declined, "
                                + report.needsAction() + " waiting for the user, " + report.skipped() + " skipped.");
        if (trouble) {
            out().note("note: 'billing recharge rules --paused' lists paused rules; 'billing recharge attempts USER'"
                    + " shows why");
        }
        return ExitCodes.OK;
    }
}
