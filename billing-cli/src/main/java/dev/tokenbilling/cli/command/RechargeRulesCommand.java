package dev.tokenbilling.cli.command;

import dev.tokenbilling.cli.CliContext;
import dev.tokenbilling.cli.CliException;
import dev.tokenbilling.cli.ExitCodes;
import dev.tokenbilling.model.RechargeRule;
import dev.tokenbilling.service.TokenBillingService;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code billing recharge rules [--paused] [--limit N]}: the users' auto-recharge rules, by user. */
@Command(
        name = "rules",
        description = {
            "The users' auto-recharge rules by user: the pack bought below the threshold, the saved card, the monthly"
                    + " limits, whether the rule runs or is paused (and why), and the declines since its last success.",
            "With --paused, only paused rules (declined cards, cards that need the user, operators' pauses)."
        })
public final class RechargeRulesCommand extends BaseCommand {

    @Option(names = "--paused", description = "Only paused rules.")
    boolean paused;

    @Option(
            names = "--limit",
            paramLabel = "N",
            defaultValue = "50",
            description = "At most N rules (default: ${DEFAULT-VALUE}).")
    int limit;

    public RechargeRulesCommand(CliContext context) {
        super(context);
    }

    @Override
    protected int run() {
        if (limit < 1 || limit > RechargeCommand.MAX_LIMIT) {
            throw CliException.usage("--limit must be between 1 and " + RechargeCommand.MAX_LIMIT + ", was " + limit);
        }
        TokenBillingService service = service();
        List<RechargeRule> rules = service.recharge().rules(paused, limit);
        out().rows(
                        RechargeCommand.ruleColumns(RechargeCommand.currencies(service, rules)),
                        rules,
                        paused ? "No paused auto-recharge rules." : "No auto-recharge rules.");
        if (out().isTable() && rules.stream().anyMatch(rule -> !rule.running())) {
            out().note("note: 'billing recharge resume USER' resumes a paused rule; 'billing recharge attempts USER'"
                    + " shows why it paused");
        }
        return ExitCodes.OK;
    }
}
