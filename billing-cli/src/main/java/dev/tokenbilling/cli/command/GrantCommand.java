package dev.tokenbilling.cli.command;

import dev.tokenbilling.cli.CliContext;
import dev.tokenbilling.cli.TokenCount;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code billing grant USER TOKENS --reason TEXT [--idempotency-key K]}: an admin or promotional credit. */
@Command(name = "grant", description = "Credit tokens to a user (promotion, support gesture), once per --idempotency-key.")
public final class GrantCommand extends LedgerWrite {

    @Parameters(index = "1", paramLabel = "TOKENS", converter = TokenCount.Converter.class,
            description = "Tokens to credit: 500000, 500,000 or 500k.")
    long tokens;

    public GrantCommand(CliContext context) {
        super(context);
    }

    @Override
    protected int run() {
        return report("Granted", service().grant(Users.id(user), tokens, reason, key("grant")));
    }
}
