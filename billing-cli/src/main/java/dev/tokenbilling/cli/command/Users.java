package dev.tokenbilling.cli.command;

import dev.tokenbilling.cli.CliException;
import dev.tokenbilling.error.InvalidRequestException;
import dev.tokenbilling.model.TokenBalance;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.service.TokenBillingService;

/** Resolving the USER argument of the commands. */
final class Users {

    private Users() {}

    static UserId id(String value) {
        try {
            return UserId.of(value);
        } catch (InvalidRequestException e) {
            throw CliException.usage(
                    "USER " + e.getMessage().replaceFirst("^userId: ", "") + " (the host application's user id)");
        }
    }

    /** The balance of a user the ledger knows; an unknown user is an error (exit 1) that says how to find users. */
    static TokenBalance known(TokenBillingService service, UserId user) {
        TokenBalance balance = service.ledger().balance(user);
        if (balance.updatedAt().isEmpty()) {
            throw CliException.failed(
                    "unknown user '" + user.value() + "': the ledger has no entries for this id; check it"
                            + " ('billing balances' lists users with a balance)");
        }
        return balance;
    }
}
