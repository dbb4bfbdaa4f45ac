package dev.tokenbilling.cli.command;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenbilling.TokenBilling;
import dev.tokenbilling.cli.Catalog;
import dev.tokenbilling.cli.CliContext;
import dev.tokenbilling.cli.ExitCodes;
import dev.tokenbilling.cli.Formats;
import dev.tokenbilling.cli.Output;
import dev.tokenbilling.cli.Output.Style;
import dev.tokenbilling.cli.Progress;
import dev.tokenbilling.model.PackageDefinition;
import dev.tokenbilling.model.PackageSaveResult.Change;
import dev.tokenbilling.model.TokenPackage;
import dev.tokenbilling.payment.PackageSync;
import dev.tokenbilling.service.TokenBillingService;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code billing seed [--with-stripe] [--catalog FILE] [--dry-run]}: upserts the catalog and, with
 * Stripe, syncs products and prices; reports each package ("Seeding Token Packages", then one line
 * per package). A second run changes nothing.
 */
@Command(
        name = "seed",
        description = {
            "Upsert the token packages; with --with-stripe, sync them to Stripe too.",
            "The default catalog is the three default packs, Starter, Booster and Power; --catalog FILE reads a YAML or JSON"
                    + " catalog instead. A second run changes nothing."
        })
public final class SeedCommand extends BaseCommand {

    @Option(names = "--with-stripe", description = "Also create or update the Stripe products and prices.")
    boolean withStripe;

    @Option(
            names = "--catalog",
            paramLabel = "FILE",
            description = "A YAML or JSON catalog instead of the built-in one.")
    Path catalog;

    @Option(names = "--dry-run", description = "Report what would change; write nothing (Stripe is only read).")
    boolean dryRun;

    public SeedCommand(CliContext context) {
        super(context);
    }

    /** One catalog package: what the database had, and what seeding did or would do. */
    private record Seeded(
            PackageDefinition definition, Optional<TokenPackage> before, Change change, Optional<TokenPackage> after) {}

    @Override
    protected int run() {
        List<Catalog.Entry> entries = catalog == null ? Catalog.defaults() : Catalog.load(catalog);
        if (withStripe) {
            context.stripe(!dryRun); // refuse a missing or live key before anything is written
        }
        TokenBilling billing = withStripe ? billingWithStripe(!dryRun) : context.billing();
        if (!dryRun && !context.database().migrateAutomatically()) {
            context.schema().migrate();
        }
        TokenBillingService service = billing.service();
        List<Seeded> seeded = new ArrayList<>();
        Map<String, PackageSync> synced = new LinkedHashMap<>();
        RuntimeException stripeFailure = null;
        try (Progress progress = new Progress(out())) {
            for (Catalog.Entry entry : entries) {
                progress.update("Seeding " + entry.definition().slug() + " (" + (seeded.size() + 1) + "/"
                        + entries.size() + ")…");
                seeded.add(seed(service, entry.definition()));
            }
            if (withStripe) {
                progress.update("Syncing the catalog to Stripe at " + context.stripeLocation() + "…");
                try {
                    service.catalog().syncToStripe(dryRun).forEach(sync -> synced.put(sync.slug(), sync));
                } catch (RuntimeException e) {
                    stripeFailure = e; // the package lines are printed first, then the one-line error
                }
            }
        }
        report(seeded, synced, stripeFailure == null);
        if (stripeFailure != null) {
            throw stripeFailure;
        }
        return ExitCodes.OK;
    }

    private Seeded seed(TokenBillingService service, PackageDefinition definition) {
        Optional<TokenPackage> before = service.catalog().findPackage(definition.slug());
        if (dryRun) {
            Change change = before.isEmpty()
                    ? Change.CREATED
                    : definition.matches(before.get()) ? Change.UNCHANGED : Change.UPDATED;
            return new Seeded(definition, before, change, before);
        }
        var result = service.catalog().savePackage(definition);
        return new Seeded(definition, before, result.change(), Optional.of(result.tokenPackage()));
    }

    private void report(List<Seeded> seeded, Map<String, PackageSync> synced, boolean complete) {
        if (!out().isTable()) {
            structured(seeded, synced);
            return;
        }
        out().line("🌱 Seeding billing data..." + (dryRun ? " (dry run: nothing is written)" : ""));
        out().line("");
        out().line("🪙  Seeding Token Packages");
        for (Seeded item : seeded) {
            PackageDefinition definition = item.definition();
            String summary = definition.name() + " - " + Formats.tokens(definition.tokenAmount()) + " tokens for "
                    + Formats.money(definition.price())
                    + definition
                            .validityDays()
                            .map(days -> ", valid " + PackagesCommand.validity(days))
                            .orElse("");
            switch (item.change()) {
                case CREATED ->
                    out().line(Style.GREEN, "  ✅ " + (dryRun ? "Would create" : "Created") + ": " + summary);
                case UPDATED ->
                    out().line(
                                    Style.YELLOW,
                                    "  🔄 " + (dryRun ? "Would update" : "Updated") + ": " + summary + " ("
                                            + differences(item.before().orElseThrow(), definition) + ")");
                case UNCHANGED -> out().line("  ⏭  Unchanged: " + summary);
            }
            PackageSync sync = synced.remove(definition.slug());
            if (sync != null) {
                stripeLine(definition.name(), sync);
            } else if (withStripe && dryRun && item.before().isEmpty()) {
                out().line("    ✅ Would sync to Stripe: " + definition.name() + " (new product and price)");
            }
        }
        for (PackageSync other : synced.values()) {
            if (other.change() != PackageSync.Change.UNCHANGED) {
                stripeLine(other.slug() + " (not in this catalog)", other);
            }
        }
        out().line("");
        if (!complete) {
            out().line(Style.RED, "❌ Seeding stopped: the Stripe sync failed.");
        } else if (dryRun) {
            out().line(
                            Style.GREEN,
                            "✅ Dry run complete: " + count(seeded, Change.CREATED) + " to create, "
                                    + count(seeded, Change.UPDATED) + " to update, " + count(seeded, Change.UNCHANGED)
                                    + " unchanged; nothing written.");
        } else {
            out().line(Style.GREEN, "✅ Billing data seeded successfully!");
        }
    }

    private void stripeLine(String name, PackageSync sync) {
        String product =
                "(product=" + (sync.productId() == null || sync.productId().isEmpty() ? "?" : sync.productId()) + ")";
        if (dryRun) {
            if (sync.change() == PackageSync.Change.UNCHANGED) {
                out().line("    ⏭  Unchanged in Stripe: " + name + " " + product);
            } else {
                out().line("    ✅ Would sync to Stripe: " + name + " ("
                        + sync.change().name().toLowerCase(java.util.Locale.ROOT)
                        + (sync.detail() == null || sync.detail().isBlank() ? "" : ": " + sync.detail()) + ")");
            }
            return;
        }
        switch (sync.change()) {
            case CREATED, UPDATED -> out().line(Style.GREEN, "    ✅ Synced to Stripe: " + name + " " + product);
            case UNCHANGED -> out().line("    ⏭  Unchanged in Stripe: " + name + " " + product);
            case ARCHIVED -> out().line(Style.DIM, "    📦 Archived in Stripe: " + name + " " + product);
        }
    }

    private static String differences(TokenPackage before, PackageDefinition after) {
        List<String> changes = new ArrayList<>();
        if (!before.name().equals(after.name())) {
            changes.add("name " + before.name() + " → " + after.name());
        }
        if (before.tokenAmount() != after.tokenAmount()) {
            changes.add("tokens " + Formats.tokens(before.tokenAmount()) + " → " + Formats.tokens(after.tokenAmount()));
        }
        if (!before.price().equals(after.price())) {
            changes.add("price " + Formats.money(before.price()) + " → " + Formats.money(after.price()));
        }
        if (before.active() != after.active()) {
            changes.add(after.active() ? "reactivated" : "deactivated");
        }
        if (!before.packageType().equals(after.packageType())) {
            changes.add("type " + before.packageType() + " → " + after.packageType());
        }
        if (!before.description().equals(after.description())) {
            changes.add("description");
        }
        if (before.sortOrder() != after.sortOrder()) {
            changes.add("sort order " + before.sortOrder() + " → " + after.sortOrder());
        }
        if (!before.validityDays().equals(after.validityDays())) {
            changes.add("validity "
                    + before.validityDays().map(PackagesCommand::validity).orElse("none") + " → "
                    + after.validityDays().map(PackagesCommand::validity).orElse("none"));
        }
        return String.join(", ", changes);
    }

    private static long count(List<Seeded> seeded, Change change) {
        return seeded.stream().filter(item -> item.change() == change).count();
    }

    private void structured(List<Seeded> seeded, Map<String, PackageSync> synced) {
        List<ObjectNode> rows = new ArrayList<>();
        for (Seeded item : seeded) {
            PackageDefinition definition = item.definition();
            ObjectNode row = Output.newObject();
            row.put("slug", definition.slug());
            row.put("name", definition.name());
            row.put("change", item.change().name().toLowerCase(java.util.Locale.ROOT));
            row.put("tokenAmount", definition.tokenAmount());
            row.put("price", Formats.plainMoney(definition.price()));
            row.put("currency", definition.price().currency().getCurrencyCode());
            row.put("active", definition.active());
            PackageSync sync = synced.get(definition.slug());
            row.put("stripeChange", sync == null ? null : sync.change().name().toLowerCase(java.util.Locale.ROOT));
            row.put("stripeProductId", sync == null || sync.productId().isEmpty() ? null : sync.productId());
            row.put("stripePriceId", sync == null || sync.priceId().isEmpty() ? null : sync.priceId());
            row.put("validityDays", definition.validityDays().orElse(null));
            rows.add(row);
        }
        if (out().isJson()) {
            ObjectNode json = Output.newObject();
            json.put("dryRun", dryRun);
            json.put("withStripe", withStripe);
            ArrayNode packages = json.putArray("packages");
            rows.forEach(packages::add);
            ObjectNode summary = json.putObject("summary");
            summary.put("created", count(seeded, Change.CREATED));
            summary.put("updated", count(seeded, Change.UPDATED));
            summary.put("unchanged", count(seeded, Change.UNCHANGED));
            out().json(json);
        } else {
            List<Output.Column<ObjectNode>> columns = new ArrayList<>();
            for (String field : List.of(
                    "slug",
                    "name",
                    "change",
                    "tokenAmount",
                    "price",
                    "currency",
                    "active",
                    "stripeChange",
                    "stripeProductId",
                    "stripePriceId",
                    "validityDays")) {
                columns.add(Output.Column.of(field, field, row -> row.get(field)));
            }
            out().rows(columns, rows, "");
        }
    }
}
