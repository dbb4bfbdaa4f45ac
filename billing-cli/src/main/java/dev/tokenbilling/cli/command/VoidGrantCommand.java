package dev.tokenbilling.cli.command;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenbilling.cli.CliContext;
import dev.tokenbilling.cli.CliException;
import dev.tokenbilling.cli.ExitCodes;
import dev.tokenbilling.cli.Formats;
import dev.tokenbilling.cli.Output;
import dev.tokenbilling.cli.Output.Style;
import dev.tokenbilling.model.TokenBalance;
import dev.tokenbilling.model.TokenLot;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.service.TokenBillingService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code billing void-grant USER LOT_ID --reason TEXT}: removes what remains of a grant, with a {@code void} ledger entry. */
@Command(
        name = "void-grant",
        description = {
            "Remove what remains of a grant (a lot from 'billing grant'), with a void ledger entry.",
            "Tokens of the lot already spent stay spent; tokens held by active holds stay until those end.",
            "'billing balance USER' lists the lots and their ids. Running it again changes nothing."
        })
public final class VoidGrantCommand extends BaseCommand {

    @Parameters(index = "0", paramLabel = "USER", description = "The user id.")
    String user;

    @Parameters(index = "1", paramLabel = "LOT_ID", description = "The grant's lot id (LOT in 'billing balance USER').")
    long lotId;

    @Option(
            names = "--reason",
            paramLabel = "TEXT",
            required = true,
            description = "Why (kept in the void entry's description).")
    String reason;

    public VoidGrantCommand(CliContext context) {
        super(context);
    }

    @Override
    protected int run() {
        UserId id = Users.id(user);
        TokenBillingService service = service();
        Users.known(service, id);
        TokenLot lot = service.ledger().allLots(id).stream()
                .filter(l -> l.id() == lotId)
                .findFirst()
                .orElseThrow(() -> CliException.failed("unknown lot " + lotId + " for user '" + id.value()
                        + "': 'billing balance " + id.value() + "' lists the user's open lots"));
        if (!lot.source().equals("grant")) {
            String source = lot.source().replace('_', ' ');
            throw CliException.failed("lot " + lotId + " of '" + id.value() + "' comes from "
                    + ("aeiou".indexOf(source.charAt(0)) >= 0 ? "an " : "a ") + source
                    + ", not a grant: only grants can be voided (use 'billing adjust' for a correction)");
        }
        long voided = lot.remaining() == 0
                ? 0
                : service.ledger().voidGrant(id, lotId, reason).tokensVoided();
        long kept = lot.remaining() - voided;
        TokenBalance after = service.ledger().balance(id);
        if (!out().isTable()) {
            ObjectNode json = Output.newObject();
            json.put("userId", id.value());
            json.put("lotId", lotId);
            json.put("tokensVoided", voided);
            json.put("remainingBefore", lot.remaining());
            json.put("stillHeld", kept);
            json.put("balance", after.balance());
            out().document(json);
            return ExitCodes.OK;
        }
        if (voided == 0 && lot.remaining() == 0) {
            out().line(
                            Style.YELLOW,
                            "⏭  Nothing to void: grant lot #" + lotId + " of " + id.value() + " has no tokens left ("
                                    + lot.closedReason().orElse("spent") + "); nothing changed.");
        } else if (voided == 0) {
            out().line(
                            Style.YELLOW,
                            "⏭  Nothing voided: the " + Formats.tokens(lot.remaining()) + " tokens left in grant lot #"
                                    + lotId + " are held by active holds; run this again after they end.");
        } else {
            out().line(
                            Style.GREEN,
                            "✅ Voided " + Formats.tokens(voided) + " tokens of grant lot #" + lotId + " for "
                                    + id.value() + ": balance now " + Formats.tokens(after.balance()) + ".");
            if (kept > 0) {
                out().line(
                                Style.YELLOW,
                                "   " + Formats.tokens(kept)
                                        + " more are held by active holds; run this again after they end.");
            }
        }
        return ExitCodes.OK;
    }
}
