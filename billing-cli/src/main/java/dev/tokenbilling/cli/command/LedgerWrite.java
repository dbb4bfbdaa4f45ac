package dev.tokenbilling.cli.command;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenbilling.cli.CliContext;
import dev.tokenbilling.cli.ExitCodes;
import dev.tokenbilling.cli.Formats;
import dev.tokenbilling.cli.Output;
import dev.tokenbilling.model.IdempotencyKey;
import dev.tokenbilling.model.LedgerReceipt;
import java.util.UUID;
import java.util.function.Consumer;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** What {@code grant} and {@code adjust} share: USER, --reason, --idempotency-key and the receipt output. */
abstract class LedgerWrite extends BaseCommand {

    @Parameters(index = "0", paramLabel = "USER", description = "The user id.")
    String user;

    @Option(
            names = "--reason",
            paramLabel = "TEXT",
            required = true,
            description = "Why (kept in the ledger entry's description).")
    String reason;

    @Option(
            names = "--idempotency-key",
            paramLabel = "KEY",
            description =
                    "Makes a retry safe: a second run with the same key changes nothing. Default: a new random key.")
    String idempotencyKey;

    LedgerWrite(CliContext context) {
        super(context);
    }

    /** The {@code --idempotency-key}, or a new random one; a blank or overlong key fails as {@code INVALID_REQUEST} (exit 2). */
    protected IdempotencyKey key(String verb) {
        return IdempotencyKey.of(idempotencyKey != null ? idempotencyKey : "cli-" + verb + "-" + UUID.randomUUID());
    }

    protected int report(String verb, LedgerReceipt receipt) {
        return report(verb, receipt, json -> {}, () -> {});
    }

    /** The receipt, with more JSON/CSV fields after the documented ones and more table lines after the first. */
    protected int report(String verb, LedgerReceipt receipt, Consumer<ObjectNode> moreFields, Runnable moreLines) {
        var entry = receipt.entry();
        if (!out().isTable()) {
            var json = Output.object(Columns.ledger(), entry);
            json.put("userId", entry.userId().value());
            json.put("replayed", receipt.replayed());
            moreFields.accept(json);
            if (out().isJson()) {
                out().json(json);
            } else {
                out().document(json);
            }
            return ExitCodes.OK;
        }
        if (receipt.replayed()) {
            out().line(
                            Output.Style.YELLOW,
                            "⏭  Already done: idempotency key '"
                                    + entry.idempotencyKey().orElse("") + "' was used for entry #" + entry.id() + " ("
                                    + entry.kind().wireName() + " of " + Formats.signedTokens(entry.amount())
                                    + " tokens); nothing changed.");
        } else {
            out().line(
                            Output.Style.GREEN,
                            "✅ " + verb + " " + Formats.signedTokens(entry.amount()) + " tokens for "
                                    + entry.userId().value() + ": balance now " + Formats.tokens(entry.balanceAfter())
                                    + " (entry #" + entry.id() + ").");
            moreLines.run();
            if (idempotencyKey == null) {
                out().line(
                                Output.Style.DIM,
                                "   idempotency key: " + entry.idempotencyKey().orElse("")
                                        + " (pass --idempotency-key to make a retry safe)");
            }
        }
        return ExitCodes.OK;
    }
}
