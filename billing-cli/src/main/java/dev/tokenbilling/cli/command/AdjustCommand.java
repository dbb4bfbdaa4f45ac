package dev.tokenbilling.cli.command;

import dev.tokenbilling.cli.CliContext;
import dev.tokenbilling.cli.TokenCount;
import dev.tokenbilling.model.Adjustment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code billing adjust USER SIGNED_TOKENS --reason TEXT [--idempotency-key K]}: an admin correction of either sign. */
@Command(
        name = "adjust",
        description = {
            "Correct a user's balance by a signed amount, once per --idempotency-key.",
            "A debit cannot take more than the available balance."
        })
public final class AdjustCommand extends LedgerWrite {

    @Parameters(
            index = "1",
            paramLabel = "TOKENS",
            converter = TokenCount.Converter.class,
            description = "Signed tokens: +500000 credits, -1200 debits.")
    long tokens;

    public AdjustCommand(CliContext context) {
        super(context);
    }

    @Override
    protected int run() {
        return report(
                "Adjusted", service().ledger().adjust(Adjustment.of(Users.id(user), tokens, key("adjust"), reason)));
    }
}
