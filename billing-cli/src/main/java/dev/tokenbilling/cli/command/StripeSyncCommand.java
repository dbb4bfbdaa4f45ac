package dev.tokenbilling.cli.command;

import dev.tokenbilling.cli.CliContext;
import dev.tokenbilling.cli.ExitCodes;
import dev.tokenbilling.cli.Output.Column;
import dev.tokenbilling.cli.Output.Style;
import dev.tokenbilling.cli.Progress;
import dev.tokenbilling.payment.PackageSync;
import dev.tokenbilling.payment.TierSync;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code billing stripe sync [--dry-run]}: makes Stripe sell every paid tier (Product + a recurring Price per
 * interval) and every package (Product + active Price); archives inactive ones. Free tiers stay off Stripe.
 */
@Command(
        name = "sync",
        description = {
            "Sync the catalog to Stripe: a product and a recurring price per interval for each paid subscription tier, a"
                    + " product and active price per package.",
            "Inactive tiers and packages are archived, free tiers are never on Stripe; the ids are recorded. --dry-run"
                    + " reports what would change."
        })
public final class StripeSyncCommand extends BaseCommand {

    @Option(names = "--dry-run", description = "Report what would change; change nothing.")
    boolean dryRun;

    public StripeSyncCommand(CliContext context) {
        super(context);
    }

    /**
     * One synced tier or package, as JSON and CSV give it: packages first, then tiers ({@code kind}
     * tier), whose {@code priceId} is the monthly price and {@code yearlyPriceId} the yearly one.
     */
    private record Row(
            String slug,
            PackageSync.Change change,
            String productId,
            String priceId,
            String detail,
            String kind,
            String yearlyPriceId) {}

    @Override
    protected int run() {
        var service = billingWithStripe(!dryRun).service();
        int count = service.catalog().allPackages().size();
        int tierCount = service.catalog().allTiers().size();
        List<TierSync> tiers;
        List<PackageSync> results;
        try (Progress progress = new Progress(out())) {
            if (tierCount > 0) {
                progress.update("Syncing " + tierCount + " tier" + (tierCount == 1 ? "" : "s") + " to Stripe at "
                        + context.stripeLocation() + "…");
            }
            tiers = service.catalog().syncTiersToStripe(dryRun);
            progress.update("Syncing " + count + " package" + (count == 1 ? "" : "s") + " to Stripe at "
                    + context.stripeLocation() + "…");
            results = service.catalog().syncToStripe(dryRun);
        }
        List<Column<Row>> rowColumns = List.of(
                Column.<Row>of("SLUG", "slug", Row::slug),
                Column.<Row>text(
                                "CHANGE",
                                "change",
                                r -> r.change().name().toLowerCase(Locale.ROOT),
                                r -> (dryRun && r.change() != PackageSync.Change.UNCHANGED ? "would be " : "")
                                        + r.change().name().toLowerCase(Locale.ROOT))
                        .styled(r -> r.change() == PackageSync.Change.UNCHANGED ? Style.PLAIN : Style.GREEN),
                Column.<Row>text("PRODUCT", "productId", r -> blankToNull(r.productId()), r -> dash(r.productId())),
                Column.<Row>text("PRICE", "priceId", r -> blankToNull(r.priceId()), r -> dash(r.priceId())),
                Column.<Row>text("DETAIL", "detail", r -> blankToNull(r.detail()), r -> dash(r.detail())),
                // Appended after the original fields so CSV columns keep their positions.
                Column.<Row>of("KIND", "kind", Row::kind),
                Column.<Row>text(
                        "YEARLY PRICE",
                        "yearlyPriceId",
                        r -> blankToNull(r.yearlyPriceId()),
                        r -> dash(r.yearlyPriceId())));
        List<Row> rows = new ArrayList<>();
        results.forEach(
                s -> rows.add(new Row(s.slug(), s.change(), s.productId(), s.priceId(), s.detail(), "package", null)));
        List<Row> tierRows = tiers.stream()
                .map(s -> new Row(
                        s.slug(), s.change(), s.productId(), s.monthlyPriceId(), s.detail(), "tier", s.yearlyPriceId()))
                .toList();
        if (!out().isTable()) {
            rows.addAll(tierRows);
            out().rows(rowColumns, rows, "");
            return ExitCodes.OK;
        }
        List<Column<Row>> packageColumns = rowColumns.subList(0, 5);
        List<Column<Row>> tierColumns = List.of(
                rowColumns.get(0),
                rowColumns.get(1),
                rowColumns.get(2),
                Column.<Row>text("MONTHLY PRICE", "priceId", r -> blankToNull(r.priceId()), r -> dash(r.priceId())),
                rowColumns.get(6),
                rowColumns.get(4));
        if (!tierRows.isEmpty()) {
            out().line(Style.BOLD, "Subscription tiers:");
            out().rows(tierColumns, tierRows, "");
            out().line("");
            out().line(Style.BOLD, "Token packages:");
        }
        out().rows(packageColumns, rows, "No packages to sync: run 'billing seed' first.");
        if (!tierRows.isEmpty()) {
            out().line("");
            out().line((dryRun ? "Dry run: " : "Synced ") + tierRows.size() + " tier"
                    + (tierRows.size() == 1 ? "" : "s")
                    + (dryRun ? " checked" : " to Stripe") + ": " + countTiers(tiers, PackageSync.Change.CREATED)
                    + " created, "
                    + countTiers(tiers, PackageSync.Change.UPDATED) + " updated, "
                    + countTiers(tiers, PackageSync.Change.UNCHANGED) + " unchanged, "
                    + countTiers(tiers, PackageSync.Change.ARCHIVED) + " archived"
                    + (dryRun ? "; nothing changed." : ".") + " Free tiers are never on Stripe.");
        }
        if (!results.isEmpty()) {
            if (tierRows.isEmpty()) {
                out().line("");
            }
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

    private static long countTiers(List<TierSync> results, PackageSync.Change change) {
        return results.stream().filter(result -> result.change() == change).count();
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
