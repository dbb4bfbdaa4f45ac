package dev.tokenbilling.cli.command;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenbilling.cli.CliContext;
import dev.tokenbilling.cli.CliException;
import dev.tokenbilling.cli.ExitCodes;
import dev.tokenbilling.cli.Formats;
import dev.tokenbilling.cli.Output;
import dev.tokenbilling.model.LedgerEntry;
import dev.tokenbilling.model.PageRequest;
import dev.tokenbilling.model.Reservation;
import dev.tokenbilling.model.TokenBalance;
import dev.tokenbilling.model.TokenLot;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.service.TokenBillingService;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code billing balance USER}: balance, totals, open lots, active holds and the last ledger rows. */
@Command(
        name = "balance",
        description = {
            "A user's balance and totals, open lots (in draw order, with expiry), active holds and last ledger entries.",
            "--only lots|holds|recent|balance prints one part, e.g. for CSV."
        })
public final class BalanceCommand extends BaseCommand {

    /** The parts of the report; {@code --only} picks one. */
    public enum Part {
        BALANCE,
        LOTS,
        HOLDS,
        RECENT;

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    @Parameters(paramLabel = "USER", description = "The user id, as the host application knows it.")
    String user;

    @Option(
            names = "--recent",
            paramLabel = "N",
            defaultValue = "10",
            description = "How many recent ledger entries to show (default: ${DEFAULT-VALUE}; 0 for none).")
    int recent;

    @Option(
            names = "--only",
            paramLabel = "PART",
            converter = PartConverter.class,
            description =
                    "Only one part: balance, lots, holds or recent (CSV has no nesting: without --only it prints the balance row).")
    Part only;

    public BalanceCommand(CliContext context) {
        super(context);
    }

    @Override
    protected int run() {
        if (recent < 0 || recent > PageRequest.MAX_LIMIT) {
            throw CliException.usage("--recent must be between 0 and " + PageRequest.MAX_LIMIT + ", was " + recent);
        }
        UserId id = Users.id(user);
        TokenBillingService service = service();
        TokenBalance balance = Users.known(service, id);
        List<TokenLot> lots = wants(Part.LOTS) ? service.ledger().lots(id) : List.of();
        List<Reservation> holds = wants(Part.HOLDS) ? service.reservations().active(id) : List.of();
        List<LedgerEntry> entries = recent == 0 || !wants(Part.RECENT)
                ? List.of()
                : service.ledger().history(id, PageRequest.first(recent)).items();
        if (only != null && only != Part.BALANCE) {
            switch (only) {
                case LOTS ->
                    part(
                            "Open lots of " + id.value() + ", in draw order",
                            Columns.lots(context.clock()),
                            lots,
                            "No open lots.");
                case HOLDS ->
                    part("Active holds of " + id.value(), Columns.holds(context.clock()), holds, "No active holds.");
                default ->
                    part(
                            "Last " + entries.size() + " ledger entr" + (entries.size() == 1 ? "y" : "ies") + " of "
                                    + id.value(),
                            Columns.ledger(),
                            entries,
                            "No ledger entries.");
            }
            lapsedNote(lots);
            return ExitCodes.OK;
        }
        switch (out().format()) {
            case JSON -> {
                ObjectNode json = Output.object(Columns.balances(), balance);
                if (only == null) {
                    json.set("lots", Output.array(Columns.lots(context.clock()), lots));
                    json.set("holds", Output.array(Columns.holds(context.clock()), holds));
                    json.set("recent", Output.array(Columns.ledger(), entries));
                }
                out().json(json);
            }
            case CSV -> out().rows(Columns.balances(), List.of(balance), "");
            case TABLE -> table(balance, lots, holds, entries);
        }
        lapsedNote(lots);
        return ExitCodes.OK;
    }

    private boolean wants(Part part) {
        return only == null || only == part;
    }

    private <T> void part(String title, List<Output.Column<T>> columns, List<T> rows, String empty) {
        if (out().isTable() && !rows.isEmpty()) {
            out().line(Output.Style.BOLD, title + ":");
        }
        out().rows(columns, rows, empty);
    }

    private void table(TokenBalance balance, List<TokenLot> lots, List<Reservation> holds, List<LedgerEntry> entries) {
        List<String[]> pairs = new ArrayList<>();
        pairs.add(new String[] {"User", balance.userId().value()});
        pairs.add(new String[] {
            "Balance",
            out().paint(
                            balance.balance() < 0 ? Output.Style.RED : Output.Style.BOLD,
                            Formats.tokens(balance.balance()) + " tokens")
        });
        pairs.add(new String[] {"Available", Formats.tokens(balance.available())});
        pairs.add(new String[] {
            "Reserved",
            Formats.tokens(balance.reserved())
                    + (holds.isEmpty()
                            ? ""
                            : " (" + holds.size() + " active hold" + (holds.size() == 1 ? "" : "s") + ")")
        });
        pairs.add(new String[] {
            "Debt",
            balance.debt() > 0
                    ? out().paint(
                                    Output.Style.RED,
                                    Formats.tokens(balance.debt()) + " (paid first from the next credits)")
                    : "0"
        });
        pairs.add(new String[] {"Purchased", Formats.tokens(balance.totalPurchased())});
        pairs.add(new String[] {"Granted", Formats.tokens(balance.totalGranted())});
        pairs.add(new String[] {"Used", Formats.tokens(balance.totalUsed())});
        pairs.add(new String[] {"Reversed", Formats.tokens(balance.totalReversed())});
        pairs.add(new String[] {"Adjusted", Formats.signedTokens(balance.totalAdjusted())});
        pairs.add(new String[] {"Expired", Formats.tokens(balance.totalExpired())});
        pairs.add(
                new String[] {"Updated", balance.updatedAt().map(Formats::time).orElse("-")});
        out().pairs(pairs);
        if (only == Part.BALANCE) {
            return;
        }
        out().line("");
        out().line(
                        Output.Style.BOLD,
                        lots.isEmpty() ? "Open lots: none" : "Open lots (" + lots.size() + "), in draw order:");
        if (!lots.isEmpty()) {
            out().rows(Columns.lots(context.clock()), lots, "");
        }
        out().line("");
        out().line(Output.Style.BOLD, holds.isEmpty() ? "Active holds: none" : "Active holds (" + holds.size() + "):");
        if (!holds.isEmpty()) {
            out().rows(Columns.holds(context.clock()), holds, "");
        }
        if (recent > 0) {
            out().line("");
            out().line(
                            Output.Style.BOLD,
                            "Last " + entries.size() + " ledger entr" + (entries.size() == 1 ? "y" : "ies") + ":");
            out().rows(Columns.ledger(), entries, "(none)");
        }
    }

    /** Lots past their expiry stay in the balance until an expiry run: say so, on stderr. */
    private void lapsedNote(List<TokenLot> lots) {
        Instant now = context.clock().instant();
        long lapsed = lots.stream().filter(lot -> Columns.lapsed(lot, now)).count();
        if (out().isTable() && lapsed > 0) {
            out().note("note: " + lapsed + " lot"
                    + (lapsed == 1 ? " has lapsed but still counts" : "s have lapsed but still count")
                    + ": 'billing expire' takes" + " expired tokens out of balances");
        }
    }

    /** {@code --only} values, lower-case. */
    public static final class PartConverter implements CommandLine.ITypeConverter<Part> {
        @Override
        public Part convert(String value) {
            try {
                return Part.valueOf(value.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(
                        "'" + value + "' is not a part: use balance, lots, holds or recent");
            }
        }
    }
}
