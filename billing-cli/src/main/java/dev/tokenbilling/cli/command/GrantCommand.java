package dev.tokenbilling.cli.command;

import dev.tokenbilling.cli.CliContext;
import dev.tokenbilling.cli.CliException;
import dev.tokenbilling.cli.Durations;
import dev.tokenbilling.cli.Formats;
import dev.tokenbilling.cli.Output;
import dev.tokenbilling.cli.Timestamps;
import dev.tokenbilling.cli.TokenCount;
import dev.tokenbilling.model.Grant;
import dev.tokenbilling.model.LedgerReceipt;
import dev.tokenbilling.model.LotTerms;
import dev.tokenbilling.model.TokenLot;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.service.TokenBillingService;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code billing grant USER TOKENS --reason TEXT [--idempotency-key K] [--expires-in 30d | --expires-at T] [--priority N]}:
 * an admin or promotional credit, as a lot that may expire and may be drawn before others.
 */
@Command(
        name = "grant",
        description = {
            "Credit tokens to a user (promotion, support gesture), once per --idempotency-key.",
            "The tokens form a lot: --expires-in or --expires-at make them lapse ('billing expire' removes them then), and"
                    + " --priority decides the draw order (lower first; purchased tokens have 0)."
        })
public final class GrantCommand extends LedgerWrite {

    @Parameters(
            index = "1",
            paramLabel = "TOKENS",
            converter = TokenCount.Converter.class,
            description = "Tokens to credit: 500000, 500,000 or 500k.")
    long tokens;

    @Option(
            names = "--expires-in",
            paramLabel = "DURATION",
            converter = Durations.Converter.class,
            description = "The tokens lapse after this long: 30d, 12h, 2w. Default: never.")
    Duration expiresIn;

    @Option(
            names = "--expires-at",
            paramLabel = "TIME",
            converter = Timestamps.Converter.class,
            description =
                    "The tokens lapse at this time: 2025-04-01T00:00:00Z, or 2025-04-01 (midnight UTC). Default: never.")
    Instant expiresAt;

    @Option(
            names = "--priority",
            paramLabel = "N",
            defaultValue = "0",
            description =
                    "Draw order among the user's lots, lower first (default: ${DEFAULT-VALUE}, as purchased tokens; -1 spends this grant first).")
    int priority;

    public GrantCommand(CliContext context) {
        super(context);
    }

    @Override
    protected int run() {
        if (expiresIn != null && expiresAt != null) {
            throw CliException.usage("give --expires-in or --expires-at, not both");
        }
        if (expiresIn != null && expiresIn.isZero()) {
            throw CliException.usage("--expires-in must be longer than 0s: the tokens would lapse at once");
        }
        if (expiresAt != null && !expiresAt.isAfter(context.clock().instant())) {
            throw CliException.usage(
                    "--expires-at " + expiresAt + " is not in the future: the tokens would lapse at once");
        }
        UserId id = Users.id(user);
        TokenBillingService service =
                service(); // opens the database first: --expires-in counts from the grant, not from the start
        Instant now = context.clock().instant();
        Optional<Instant> expiry = Optional.ofNullable(expiresAt)
                .or(() -> Optional.ofNullable(expiresIn).map(now::plus));
        LotTerms terms =
                expiry.map(LotTerms::expiringAt).orElse(LotTerms.DEFAULT).withPriority(priority);
        LedgerReceipt receipt = service.ledger()
                .grant(Grant.of(id, tokens, key("grant"), reason).withTerms(terms));
        Optional<TokenLot> lot = receipt.lot();
        return report(
                "Granted",
                receipt,
                json -> {
                    json.put("lotId", lot.map(TokenLot::id).orElse(null));
                    json.set(
                            "expiresAt",
                            Output.toJson(lot.isPresent() ? lot.get().expiresAt() : terms.expiresAt()));
                    json.put("priority", lot.map(TokenLot::priority).orElse(terms.priority()));
                },
                () -> out().line(
                                Output.Style.DIM,
                                "   lot" + lot.map(l -> " #" + l.id()).orElse("") + ": "
                                        + expiry.map(at -> "expires " + Formats.time(at) + " (in "
                                                        + Durations.format(Duration.between(now, at)) + ")")
                                                .orElse("never expires")
                                        + ", priority " + priority));
    }
}
