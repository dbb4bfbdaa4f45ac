package dev.tokenbilling.cli.command;

import dev.tokenbilling.cli.CliContext;
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

/** {@code billing recharge resume USER}: resumes a paused auto-recharge rule, its declines forgotten. */
@Command(
        name = "resume",
        description = {
            "Resume a user's paused auto-recharge rule, its count of declines reset (e.g. once the user fixed the"
                    + " card).",
            "A rule that runs is left as it is."
        })
public final class RechargeResumeCommand extends BaseCommand {

    @Parameters(paramLabel = "USER", description = "The user id (the host application's).")
    String user;

    public RechargeResumeCommand(CliContext context) {
        super(context);
    }

    @Override
    protected int run() {
        TokenBillingService service = service();
        UserId id = Users.id(user);
        RechargeRule before = RechargePauseCommand.rule(service, id);
        boolean changed = before.pausedReason().isPresent();
        RechargeRule after = changed ? service.recharge().resume(id) : before;
        if (!out().isTable()) {
            var json = Output.object(
                    RechargeCommand.ruleColumns(RechargeCommand.currencies(service, List.of(after))), after);
            json.put("changed", changed);
            out().document(json);
            return ExitCodes.OK;
        }
        String buys = "buys " + after.packageSlug() + " below " + Formats.tokens(after.threshold()) + " tokens";
        if (changed) {
            out().line(
                            Style.GREEN,
                            "▶️  Resumed auto-recharge of " + id.value() + " (" + buys + "; was paused: "
                                    + before.pausedReason().get() + ").");
        } else {
            out().line("⏭  Auto-recharge of " + id.value() + " is not paused (" + RechargeCommand.state(after)
                    + "); nothing changed.");
        }
        return ExitCodes.OK;
    }
}
