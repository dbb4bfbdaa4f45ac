package dev.tokenbilling.cli.command;

import dev.tokenbilling.cli.CliContext;
import dev.tokenbilling.cli.CliException;
import dev.tokenbilling.cli.ExitCodes;
import dev.tokenbilling.cli.Formats;
import dev.tokenbilling.cli.Output;
import dev.tokenbilling.cli.Output.Style;
import dev.tokenbilling.model.RechargeRule;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.service.TokenBillingService;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code billing recharge pause USER}: an operator pauses a user's auto-recharge rule. A paused rule
 * is left as it is: its reason (a declined card, say) is kept.
 */
@Command(
        name = "pause",
        description = {
            "Pause a user's auto-recharge rule: crossing the threshold buys nothing until it is resumed.",
            "A rule already paused (by the user, an operator, or after declines) is left as it is."
        })
public final class RechargePauseCommand extends BaseCommand {

    @Parameters(paramLabel = "USER", description = "The user id (the host application's).")
    String user;

    public RechargePauseCommand(CliContext context) {
        super(context);
    }

    @Override
    protected int run() {
        TokenBillingService service = service();
        UserId id = Users.id(user);
        RechargeRule before = rule(service, id);
        boolean changed = before.running();
        RechargeRule after = changed ? service.recharge().pause(id) : before;
        if (!out().isTable()) {
            var json = Output.object(
                    RechargeCommand.ruleColumns(RechargeCommand.currencies(service, List.of(after))), after);
            json.put("changed", changed);
            out().document(json);
        } else {
            String buys = "buys " + after.packageSlug() + " below " + Formats.tokens(after.threshold()) + " tokens";
            if (changed) {
                out().line(Style.GREEN, "⏸  Paused auto-recharge of " + id.value() + " (" + buys + ").");
                out().note("note: 'billing recharge resume " + id.value() + "' resumes it");
            } else {
                out().line("⏭  Auto-recharge of " + id.value() + " is already " + RechargeCommand.state(after)
                        + after.pausedReason()
                                .map(reason -> " (reason: " + reason + ")")
                                .orElse("") + "; nothing changed.");
            }
        }
        return ExitCodes.OK;
    }

    /** The user's rule; a user without one is an error (exit 1) that says how to find the rules. */
    static RechargeRule rule(TokenBillingService service, UserId id) {
        return service.recharge()
                .rule(id)
                .orElseThrow(() -> CliException.failed("user '" + id.value()
                        + "' has no auto-recharge rule: the user sets one up in the application; 'billing recharge"
                        + " rules' lists the users' rules"));
    }
}
