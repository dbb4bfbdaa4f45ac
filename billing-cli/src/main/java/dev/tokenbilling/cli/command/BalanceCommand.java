package dev.tokenbilling.cli.command;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenbilling.TokenBillingService;
import dev.tokenbilling.cli.CliContext;
import dev.tokenbilling.cli.ExitCodes;
import dev.tokenbilling.cli.Formats;
import dev.tokenbilling.cli.Output;
import dev.tokenbilling.model.LedgerEntry;
import dev.tokenbilling.model.PageRequest;
import dev.tokenbilling.model.TokenBalance;
import dev.tokenbilling.model.UserId;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code billing balance USER}: balance, totals and the last ledger rows. */
@Command(name = "balance", description = "A user's balance, totals and last ledger entries.")
public final class BalanceCommand extends BaseCommand {

    @Parameters(paramLabel = "USER", description = "The user id, as the host application knows it.")
    String user;

    @Option(names = "--recent", paramLabel = "N", defaultValue = "10", description = "How many recent ledger entries to show (default: ${DEFAULT-VALUE}; 0 for none).")
    int recent;

    public BalanceCommand(CliContext context) {
        super(context);
    }

    @Override
    protected int run() {
        if (recent < 0 || recent > PageRequest.MAX_LIMIT) {
            throw dev.tokenbilling.cli.CliException.usage("--recent must be between 0 and " + PageRequest.MAX_LIMIT + ", was " + recent);
        }
        UserId id = Users.id(user);
        TokenBillingService service = service();
        TokenBalance balance = Users.known(service, id);
        List<LedgerEntry> entries = recent == 0 ? List.of() : service.ledger(id, PageRequest.first(recent)).items();
        switch (out().format()) {
            case JSON -> {
                ObjectNode json = Output.object(Columns.balances(), balance);
                json.set("recent", Output.array(Columns.ledger(), entries));
                out().json(json);
            }
            case CSV -> out().rows(Columns.balances(), List.of(balance), "");
            case TABLE -> table(balance, entries);
        }
        return ExitCodes.OK;
    }

    private void table(TokenBalance balance, List<LedgerEntry> entries) {
        List<String[]> pairs = new ArrayList<>();
        pairs.add(new String[] {"User", balance.userId().value()});
        pairs.add(new String[] {"Balance", out().paint(balance.balance() < 0 ? Output.Style.RED : Output.Style.BOLD,
                Formats.tokens(balance.balance()) + " tokens")});
        pairs.add(new String[] {"Available", Formats.tokens(balance.available())});
        pairs.add(new String[] {"Reserved", Formats.tokens(balance.reserved())});
        pairs.add(new String[] {"Purchased", Formats.tokens(balance.totalPurchased())});
        pairs.add(new String[] {"Granted", Formats.tokens(balance.totalGranted())});
        pairs.add(new String[] {"Used", Formats.tokens(balance.totalUsed())});
        pairs.add(new String[] {"Reversed", Formats.tokens(balance.totalReversed())});
        pairs.add(new String[] {"Adjusted", Formats.signedTokens(balance.totalAdjusted())});
        pairs.add(new String[] {"Expired", Formats.tokens(balance.totalExpired())});
        pairs.add(new String[] {"Updated", balance.updatedAt().map(Formats::time).orElse("-")});
        out().pairs(pairs);
        if (recent > 0) {
            out().line("");
            out().line(Output.Style.BOLD, "Last " + entries.size() + " ledger entr" + (entries.size() == 1 ? "y" : "ies") + ":");
            out().rows(Columns.ledger(), entries, "(none)");
        }
    }
}
