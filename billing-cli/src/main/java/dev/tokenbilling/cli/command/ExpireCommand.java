package dev.tokenbilling.cli.command;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenbilling.cli.CliContext;
import dev.tokenbilling.cli.CliException;
import dev.tokenbilling.cli.ExitCodes;
import dev.tokenbilling.cli.Formats;
import dev.tokenbilling.cli.Output;
import dev.tokenbilling.cli.Output.Style;
import dev.tokenbilling.cli.Progress;
import dev.tokenbilling.model.ExpiryReport;
import dev.tokenbilling.model.PurchaseQuery;
import dev.tokenbilling.service.TokenBillingService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code billing expire [--limit N]}: takes lapsed lots out of balances (an {@code expiry} ledger entry
 * each) and releases lapsed holds. Exactly once, and safe while other instances or the starter's
 * scheduler do the same.
 */
@Command(
        name = "expire",
        description = {
            "Take expired tokens out of balances and release lapsed holds, and print a summary.",
            "Each lapsed lot leaves through one expiry ledger entry, exactly once: safe to run from cron, by hand, and next to the"
                    + " Spring starter's scheduler on several instances."
        })
public final class ExpireCommand extends BaseCommand {

    static final int BATCH = 500;

    @Option(
            names = "--limit",
            paramLabel = "N",
            defaultValue = "10000",
            description = "At most N lots and N holds in this run (default: ${DEFAULT-VALUE}); run again for more.")
    int limit;

    public ExpireCommand(CliContext context) {
        super(context);
    }

    @Override
    protected int run() {
        if (limit < 1 || limit > PurchaseQuery.MAX_LIMIT) {
            throw CliException.usage("--limit must be between 1 and " + PurchaseQuery.MAX_LIMIT + ", was " + limit);
        }
        TokenBillingService service = service();
        int lots = 0;
        long tokens = 0;
        int holds = 0;
        boolean limitReached = false;
        try (Progress progress = new Progress(out())) {
            while (true) {
                int batch = Math.min(BATCH, limit - Math.max(lots, holds));
                ExpiryReport report = service.operations().expire(batch);
                lots += report.lotsExpired();
                tokens += report.tokensExpired();
                holds += report.reservationsReleased();
                progress.update("Expired " + lots + " lot" + (lots == 1 ? "" : "s") + ", released " + holds + " hold"
                        + (holds == 1 ? "" : "s") + "…");
                if (report.lotsExpired() < batch && report.reservationsReleased() < batch) {
                    break; // a short batch: nothing more is due (or another instance has it)
                }
                if (Math.max(lots, holds) >= limit) {
                    limitReached = true;
                    break;
                }
            }
        }
        if (!out().isTable()) {
            ObjectNode json = Output.newObject();
            json.put("lotsExpired", lots);
            json.put("tokensExpired", tokens);
            json.put("reservationsReleased", holds);
            json.put("limitReached", limitReached);
            out().document(json);
            return ExitCodes.OK;
        }
        if (lots == 0 && holds == 0) {
            out().line("Nothing to expire: no lapsed lots or holds at "
                    + Formats.time(context.clock().instant()) + ".");
        } else {
            out().line(
                            Style.GREEN,
                            "✅ Expired " + Formats.tokens(tokens) + " tokens from " + lots + " lot"
                                    + (lots == 1 ? "" : "s") + " and released " + holds + " lapsed hold"
                                    + (holds == 1 ? "" : "s") + ".");
        }
        if (limitReached) {
            out().note("note: --limit " + limit + " reached; more may be due: run 'billing expire' again");
        }
        return ExitCodes.OK;
    }
}
