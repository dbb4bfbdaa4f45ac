package dev.tokenbilling.cli.command;

import dev.tokenbilling.cli.CliContext;
import dev.tokenbilling.cli.ExitCodes;
import dev.tokenbilling.cli.Output.Column;
import dev.tokenbilling.cli.Output.Style;
import dev.tokenbilling.cli.Progress;
import dev.tokenbilling.payment.PackageSync;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code billing stripe sync [--dry-run]}: makes Stripe sell every package (Product + active Price); archives inactive ones. */
@Command(
        name = "sync",
        description = {
            "Sync the catalog to Stripe: a product and active price per package.",
            "Inactive packages are archived; the ids are recorded. --dry-run reports what would change."
        })
public final class StripeSyncCommand extends BaseCommand {

    @Option(names = "--dry-run", description = "Report what would change; change nothing.")
    boolean dryRun;

    public StripeSyncCommand(CliContext context) {
        super(context);
    }

    @Override
    protected int run() {
        var service = billingWithStripe(!dryRun).service();
        int count = service.catalog().allPackages().size();
        List<PackageSync> results;
        try (Progress progress = new Progress(out())) {
            progress.update("Syncing " + count + " package" + (count == 1 ? "" : "s") + " to Stripe at "
                    + context.stripeLocation() + "…");
            results = service.catalog().syncToStripe(dryRun);
        }
        List<Column<PackageSync>> columns = List.of(
                Column.<PackageSync>of("SLUG", "slug", PackageSync::slug),
                Column.<PackageSync>text(
                                "CHANGE",
                                "change",
                                s -> s.change().name().toLowerCase(Locale.ROOT),
                                s -> (dryRun && s.change() != PackageSync.Change.UNCHANGED ? "would be " : "")
                                        + s.change().name().toLowerCase(Locale.ROOT))
                        .styled(s -> s.change() == PackageSync.Change.UNCHANGED ? Style.PLAIN : Style.GREEN),
                Column.<PackageSync>text(
                        "PRODUCT", "productId", s -> blankToNull(s.productId()), s -> dash(s.productId())),
                Column.<PackageSync>text("PRICE", "priceId", s -> blankToNull(s.priceId()), s -> dash(s.priceId())),
                Column.<PackageSync>text("DETAIL", "detail", s -> blankToNull(s.detail()), s -> dash(s.detail())));
        out().rows(columns, results, "No packages to sync: run 'billing seed' first.");
        if (out().isTable() && !results.isEmpty()) {
            out().line("");
            out().line((dryRun ? "Dry run: " : "Synced ") + results.size() + " package"
                    + (results.size() == 1 ? "" : "s")
                    + (dryRun ? " checked" : " to Stripe") + ": " + count(results, PackageSync.Change.CREATED)
                    + " created, "
                    + count(results, PackageSync.Change.UPDATED) + " updated, "
                    + count(results, PackageSync.Change.UNCHANGED) + " unchanged, "
                    + count(results, PackageSync.Change.ARCHIVED) + " archived"
                    + (dryRun ? "; nothing changed." : "."));
        }
        return ExitCodes.OK;
    }

    private static long count(List<PackageSync> results, PackageSync.Change change) {
        return results.stream().filter(result -> result.change() == change).count();
    }

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text;
    }

    private static String dash(String text) {
        return text == null || text.isBlank() ? "-" : text;
    }
}
