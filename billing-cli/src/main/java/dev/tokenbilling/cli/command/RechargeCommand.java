package dev.tokenbilling.cli.command;

import dev.tokenbilling.cli.ExitCodes;
import dev.tokenbilling.cli.Formats;
import dev.tokenbilling.cli.Output.Column;
import dev.tokenbilling.cli.Output.Style;
import dev.tokenbilling.model.Money;
import dev.tokenbilling.model.RechargeAttempt;
import dev.tokenbilling.model.RechargeRule;
import dev.tokenbilling.model.RechargeStatus;
import dev.tokenbilling.model.TokenPackage;
import dev.tokenbilling.service.TokenBillingService;
import java.util.Currency;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code billing recharge rules|attempts|pause|resume|run}: the users' auto-recharge rules, their
 * recharges, an operator's pause and resume, and one run of the worker that buys the due packs.
 */
@Command(
        name = "recharge",
        description = {
            "Auto-recharge: the users' rules (buy a pack with the saved card when the balance falls below a threshold)"
                    + " and their recharges.",
            "'rules' and 'attempts USER' list them; 'pause USER' and 'resume USER' stop and restart a rule; 'run' buys"
                    + " the due recharges once, off-session (needs Stripe)."
        },
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {
            RechargeRulesCommand.class,
            RechargeAttemptsCommand.class,
            RechargePauseCommand.class,
            RechargeResumeCommand.class,
            RechargeRunCommand.class
        })
public final class RechargeCommand implements Callable<Integer> {

    /** The most rules or recharges one listing returns (the library's limit). */
    static final int MAX_LIMIT = 1000;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getErr().println("error: missing COMMAND");
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCodes.USAGE;
    }

    /** {@code running}, {@code paused} or {@code off}. */
    static String state(RechargeRule rule) {
        return rule.running() ? "running" : rule.enabled() ? "paused" : "off";
    }

    /** The currency of each pack the rules buy, to show their monthly amount limits as money. */
    static Map<String, Currency> currencies(TokenBillingService service, List<RechargeRule> rules) {
        Map<String, Currency> currencies = new HashMap<>();
        for (RechargeRule rule : rules) {
            currencies.computeIfAbsent(
                    rule.packageSlug(),
                    slug -> service.catalog()
                            .findPackage(slug)
                            .map(TokenPackage::price)
                            .map(Money::currency)
                            .orElse(null));
        }
        return currencies;
    }

    static List<Column<RechargeRule>> ruleColumns(Map<String, Currency> currencies) {
        return List.of(
                Column.<RechargeRule>text(
                        "USER",
                        "userId",
                        r -> r.userId().value(),
                        r -> r.userId().value()),
                Column.<RechargeRule>of("PACK", "packageSlug", RechargeRule::packageSlug),
                Column.<RechargeRule>tokens("THRESHOLD", "threshold", RechargeRule::threshold),
                Column.<RechargeRule>of("CARD", "paymentMethodId", RechargeRule::paymentMethodId),
                Column.<RechargeRule>of("MAX/MONTH", "maxPerMonth", RechargeRule::maxPerMonth)
                        .right(),
                Column.<RechargeRule>text(
                                "MAX AMOUNT/MONTH",
                                "maxAmountPerMonth",
                                RechargeRule::maxAmountPerMonth,
                                r -> Optional.ofNullable(currencies.get(r.packageSlug()))
                                        .map(currency -> Formats.money(new Money(r.maxAmountPerMonth(), currency)))
                                        .orElse(String.valueOf(r.maxAmountPerMonth())))
                        .right(),
                Column.<RechargeRule>text("STATE", "state", RechargeCommand::state, RechargeCommand::state)
                        .styled(r -> r.running() ? Style.GREEN : Style.YELLOW),
                Column.<RechargeRule>text(
                        "REASON",
                        "pausedReason",
                        RechargeRule::pausedReason,
                        r -> Formats.shorten(r.pausedReason().orElse(""), 40)),
                Column.<RechargeRule>text(
                                "FAILURES",
                                "failures",
                                RechargeRule::failures,
                                r -> r.failures() + "/" + r.maxFailures())
                        .right()
                        .styled(r -> r.failures() > 0 ? Style.YELLOW : Style.PLAIN),
                Column.<RechargeRule>of("MAX FAILURES", "maxFailures", RechargeRule::maxFailures)
                        .hiddenInTable(),
                Column.<RechargeRule>of("ENABLED", "enabled", RechargeRule::enabled)
                        .hiddenInTable(),
                Column.<RechargeRule>of("CREATED", "createdAt", RechargeRule::createdAt)
                        .hiddenInTable(),
                Column.<RechargeRule>of("UPDATED", "updatedAt", RechargeRule::updatedAt)
                        .hiddenInTable());
    }

    static List<Column<RechargeAttempt>> attemptColumns() {
        return List.of(
                Column.<RechargeAttempt>of("ID", "id", RechargeAttempt::id).right(),
                Column.<RechargeAttempt>text(
                                "STATUS",
                                "status",
                                a -> a.status().wireName(),
                                a -> a.status().wireName())
                        .styled(a -> statusStyle(a.status())),
                Column.<RechargeAttempt>of("TRIES", "tries", RechargeAttempt::tries)
                        .right(),
                Column.<RechargeAttempt>text(
                                "PURCHASE",
                                "purchaseId",
                                RechargeAttempt::purchaseId,
                                a -> a.purchaseId().map(String::valueOf).orElse("-"))
                        .right(),
                Column.<RechargeAttempt>text(
                        "PAYMENT INTENT",
                        "paymentIntentId",
                        RechargeAttempt::paymentIntentId,
                        a -> a.paymentIntentId().orElse("-")),
                Column.<RechargeAttempt>text(
                        "REASON",
                        "reason",
                        RechargeAttempt::reason,
                        a -> Formats.shorten(a.reason().orElse(""), 50)),
                Column.<RechargeAttempt>of("CREATED", "createdAt", RechargeAttempt::createdAt),
                Column.<RechargeAttempt>of("UPDATED", "updatedAt", RechargeAttempt::updatedAt),
                Column.<RechargeAttempt>text(
                                "USER",
                                "userId",
                                a -> a.userId().value(),
                                a -> a.userId().value())
                        .hiddenInTable(),
                Column.<RechargeAttempt>tokens(
                                "AVAILABLE AT START", "availableAtStart", RechargeAttempt::availableAtStart)
                        .hiddenInTable(),
                Column.<RechargeAttempt>of("NEXT ATTEMPT", "nextAttemptAt", RechargeAttempt::nextAttemptAt)
                        .hiddenInTable());
    }

    static Style statusStyle(RechargeStatus status) {
        return switch (status) {
            case SUCCEEDED -> Style.GREEN;
            case PENDING, PROCESSING, REQUIRES_ACTION -> Style.YELLOW;
            case FAILED -> Style.RED;
            case SKIPPED -> Style.DIM;
        };
    }
}
