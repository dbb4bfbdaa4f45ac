package dev.tokenbilling.cli.command;

import dev.tokenbilling.cli.CliContext;
import dev.tokenbilling.cli.CliException;
import dev.tokenbilling.cli.ExitCodes;
import dev.tokenbilling.model.RechargeAttempt;
import dev.tokenbilling.model.UserId;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code billing recharge attempts USER [--limit N]}: a user's auto-recharges, newest first. */
@Command(
        name = "attempts",
        description = {
            "A user's auto-recharges, newest first: pending, processing, succeeded, failed (declined as often as the"
                    + " rule allows), requires_action (the card needs the user) or skipped (paused rule, monthly"
                    + " limits).",
            "Each with its tries, the purchase and PaymentIntent that pay it, and why it failed or was skipped."
        })
public final class RechargeAttemptsCommand extends BaseCommand {

    @Parameters(paramLabel = "USER", description = "The user id (the host application's).")
    String user;

    @Option(
            names = "--limit",
            paramLabel = "N",
            defaultValue = "20",
            description = "At most N recharges (default: ${DEFAULT-VALUE}).")
    int limit;

    public RechargeAttemptsCommand(CliContext context) {
        super(context);
    }

    @Override
    protected int run() {
        if (limit < 1 || limit > RechargeCommand.MAX_LIMIT) {
            throw CliException.usage("--limit must be between 1 and " + RechargeCommand.MAX_LIMIT + ", was " + limit);
        }
        UserId id = Users.id(user);
        List<RechargeAttempt> attempts = service().recharge().attempts(id, limit);
        out().rows(RechargeCommand.attemptColumns(), attempts, "No auto-recharges for user '" + id.value() + "'.");
        return ExitCodes.OK;
    }
}
