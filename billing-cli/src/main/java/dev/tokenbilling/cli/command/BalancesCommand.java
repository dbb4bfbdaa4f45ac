package dev.tokenbilling.cli.command;

import dev.tokenbilling.cli.CliContext;
import dev.tokenbilling.cli.CliException;
import dev.tokenbilling.cli.ExitCodes;
import dev.tokenbilling.model.PurchaseQuery;
import dev.tokenbilling.model.TokenBalance;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code billing balances [--top N] [--negative]}: users by balance. */
@Command(
        name = "balances",
        description = {"Users by balance, highest first.", "--negative lists those below zero, lowest first."})
public final class BalancesCommand extends BaseCommand {

    @Option(
            names = "--top",
            paramLabel = "N",
            defaultValue = "20",
            description = "How many users (default: ${DEFAULT-VALUE}).")
    int top;

    @Option(names = "--negative", description = "Only balances below zero (after refunds or disputes of spent tokens).")
    boolean negative;

    public BalancesCommand(CliContext context) {
        super(context);
    }

    @Override
    protected int run() {
        if (top < 1 || top > PurchaseQuery.MAX_LIMIT) {
            throw CliException.usage("--top must be between 1 and " + PurchaseQuery.MAX_LIMIT + ", was " + top);
        }
        List<TokenBalance> balances = service().ledger().balances(top, negative);
        out().rows(Columns.balances(), balances, negative ? "No negative balances." : "No balances yet.");
        return ExitCodes.OK;
    }
}
