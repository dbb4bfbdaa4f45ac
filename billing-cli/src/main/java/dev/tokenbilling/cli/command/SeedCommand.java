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
import dev.tokenbilling.model.SubscriptionTier;
import dev.tokenbilling.model.TierDefinition;
import dev.tokenbilling.model.TokenPackage;
import dev.tokenbilling.payment.PackageSync;
import dev.tokenbilling.payment.TierSync;
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
 * {@code billing seed [--with-stripe] [--catalog FILE] [--dry-run]}: upserts the catalog, tiers first,
 * then packages, and, with Stripe, syncs products and prices; reports each tier ("Seeding Subscription
 * Tiers") and each package ("Seeding Token Packages"), one line each. A second run changes nothing.
 */
@Command(
        name = "seed",
        description = {
            "Upsert the subscription tiers and token packages; with --with-stripe, sync them to Stripe too.",
            "The default catalog is the three default tiers, Explorer (free), Plus and Pro, and the three default packs,"
                    + " Starter, Booster and Power; --catalog FILE reads a YAML or JSON catalog instead. Free tiers are"
                    + " never on Stripe. A second run changes nothing."
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

    /** One catalog tier: what the database had, and what seeding did or would do. */
    private record SeededTier(
            TierDefinition definition,
            Optional<SubscriptionTier> before,
            Change change,
            Optional<SubscriptionTier> after) {}

    @Override
    protected int run() {
        Catalog contents = catalog == null ? Catalog.defaults() : Catalog.load(catalog);
        if (withStripe) {
            context.stripe(!dryRun); // refuse a missing or live key before anything is written
        }
        TokenBilling billing = withStripe ? billingWithStripe(!dryRun) : context.billing();
        if (!dryRun && !context.database().migrateAutomatically()) {
            context.schema().migrate();
        }
        TokenBillingService service = billing.service();
        List<SeededTier> seededTiers = new ArrayList<>();
        List<Seeded> seeded = new ArrayList<>();
        Map<String, TierSync> syncedTiers = new LinkedHashMap<>();
        Map<String, PackageSync> synced = new LinkedHashMap<>();
        RuntimeException stripeFailure = null;
        int total = contents.tiers().size() + contents.packages().size();
        try (Progress progress = new Progress(out())) {
            for (Catalog.TierEntry entry : contents.tiers()) {
                progress.update("Seeding tier " + entry.definition().slug() + " (" + (seededTiers.size() + 1) + "/"
                        + total + ")…");
                seededTiers.add(seed(service, entry.definition()));
            }
            for (Catalog.Entry entry : contents.packages()) {
                progress.update("Seeding " + entry.definition().slug() + " (" + (seededTiers.size() + seeded.size() + 1)
                        + "/" + total + ")…");
                seeded.add(seed(service, entry.definition()));
            }
            if (withStripe) {
                progress.update("Syncing the catalog to Stripe at " + context.stripeLocation() + "…");
                try {
                    service.catalog().syncTiersToStripe(dryRun).forEach(sync -> syncedTiers.put(sync.slug(), sync));
                    service.catalog().syncToStripe(dryRun).forEach(sync -> synced.put(sync.slug(), sync));
                } catch (RuntimeException e) {
                    stripeFailure = e; // the tier and package lines are printed first, then the one-line error
                }
            }
        }
        report(seededTiers, syncedTiers, seeded, synced, stripeFailure == null);
        if (stripeFailure != null) {
            throw stripeFailure;
        }
        return ExitCodes.OK;
    }

    private SeededTier seed(TokenBillingService service, TierDefinition definition) {
        Optional<SubscriptionTier> before = service.catalog().findTier(definition.slug());
        if (dryRun) {
            Change change = before.isEmpty()
                    ? Change.CREATED
                    : definition.matches(before.get()) ? Change.UNCHANGED : Change.UPDATED;
            return new SeededTier(definition, before, change, before);
        }
        var result = service.catalog().saveTier(definition);
        return new SeededTier(definition, before, result.change(), Optional.of(result.tier()));
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

    private void report(
            List<SeededTier> seededTiers,
            Map<String, TierSync> syncedTiers,
            List<Seeded> seeded,
            Map<String, PackageSync> synced,
            boolean complete) {
        if (!out().isTable()) {
            structured(seededTiers, syncedTiers, seeded, synced);
            return;
        }
        out().line("🌱 Seeding billing data..." + (dryRun ? " (dry run: nothing is written)" : ""));
        out().line("");
        if (!seededTiers.isEmpty()
                || syncedTiers.values().stream().anyMatch(sync -> sync.change() != PackageSync.Change.UNCHANGED)) {
            reportTiers(seededTiers, syncedTiers);
            out().line("");
        }
        if (!seeded.isEmpty()
                || synced.values().stream().anyMatch(sync -> sync.change() != PackageSync.Change.UNCHANGED)) {
            reportPackages(seeded, synced);
            out().line("");
        }
        if (!complete) {
            out().line(Style.RED, "❌ Seeding stopped: the Stripe sync failed.");
        } else if (dryRun) {
            out().line(
                            Style.GREEN,
                            "✅ Dry run complete: "
                                    + (count(seeded, Change.CREATED) + countTiers(seededTiers, Change.CREATED))
                                    + " to create, "
                                    + (count(seeded, Change.UPDATED) + countTiers(seededTiers, Change.UPDATED))
                                    + " to update, "
                                    + (count(seeded, Change.UNCHANGED) + countTiers(seededTiers, Change.UNCHANGED))
                                    + " unchanged; nothing written.");
        } else {
            out().line(Style.GREEN, "✅ Billing data seeded successfully!");
        }
    }

    private void reportPackages(List<Seeded> seeded, Map<String, PackageSync> synced) {
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
                stripeLine(definition.name(), sync.change(), sync.productId(), sync.detail());
            } else if (withStripe && dryRun && item.before().isEmpty()) {
                out().line("    ✅ Would sync to Stripe: " + definition.name() + " (new product and price)");
            }
        }
        for (PackageSync other : synced.values()) {
            if (other.change() != PackageSync.Change.UNCHANGED) {
                stripeLine(other.slug() + " (not in this catalog)", other.change(), other.productId(), other.detail());
            }
        }
    }

    private void reportTiers(List<SeededTier> seededTiers, Map<String, TierSync> syncedTiers) {
        Map<String, TierSync> others = new LinkedHashMap<>(syncedTiers);
        out().line("📋 Seeding Subscription Tiers");
        for (SeededTier item : seededTiers) {
            TierDefinition definition = item.definition();
            String summary = tierSummary(definition);
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
            TierSync sync = others.remove(definition.slug());
            if (free(definition)) {
                continue; // never on Stripe
            }
            if (sync != null) {
                if (!sync.productId().isEmpty() || sync.change() != PackageSync.Change.UNCHANGED) {
                    stripeLine(definition.name(), sync.change(), sync.productId(), sync.detail());
                }
            } else if (withStripe && dryRun && item.before().isEmpty()) {
                out().line("    ✅ Would sync to Stripe: " + definition.name() + " (new product and prices)");
            }
        }
        for (TierSync other : others.values()) {
            if (other.change() != PackageSync.Change.UNCHANGED) {
                stripeLine(other.slug() + " (not in this catalog)", other.change(), other.productId(), other.detail());
            }
        }
    }

    /**
     * {@code Free / Explorer ($0.00/mo)}; {@code Plus ($10.00/mo, $100.00/yr) - 600,000 tokens per month},
     * then {@code , up to 500,000 unused roll over} for a tier with a rollover cap.
     */
    static String tierSummary(TierDefinition tier) {
        if (free(tier)) {
            return "Free / " + tier.name() + " (" + Formats.money(tier.monthlyPrice()) + "/mo)";
        }
        return tier.name() + " (" + Formats.money(tier.monthlyPrice()) + "/mo"
                + tier.yearlyPrice()
                        .map(price -> ", " + Formats.money(price) + "/yr")
                        .orElse("")
                + ") - " + Formats.tokens(tier.tokensPerPeriod()) + " tokens per month"
                + tier.rolloverCap()
                        .map(cap -> ", up to " + Formats.tokens(cap) + " unused roll over")
                        .orElse("");
    }

    private static boolean free(TierDefinition tier) {
        return tier.monthlyPrice().minorUnits() == 0;
    }

    private void stripeLine(String name, PackageSync.Change change, String productId, String detail) {
        String product = "(product=" + (productId == null || productId.isEmpty() ? "?" : productId) + ")";
        if (dryRun) {
            if (change == PackageSync.Change.UNCHANGED) {
                out().line("    ⏭  Unchanged in Stripe: " + name + " " + product);
            } else {
                out().line("    ✅ Would sync to Stripe: " + name + " ("
                        + change.name().toLowerCase(java.util.Locale.ROOT)
                        + (detail == null || detail.isBlank() ? "" : ": " + detail) + ")");
            }
            return;
        }
        switch (change) {
            case CREATED, UPDATED -> out().line(Style.GREEN, "    ✅ Synced to Stripe: " + name + " " + product);
            case UNCHANGED -> out().line("    ⏭  Unchanged in Stripe: " + name + " " + product);
            case ARCHIVED -> out().line(Style.DIM, "    📦 Archived in Stripe: " + name + " " + product);
        }
    }

    private static String differences(SubscriptionTier before, TierDefinition after) {
        List<String> changes = new ArrayList<>();
        if (!before.name().equals(after.name())) {
            changes.add("name " + before.name() + " → " + after.name());
        }
        if (!before.monthlyPrice().equals(after.monthlyPrice())) {
            changes.add("monthly price " + Formats.money(before.monthlyPrice()) + " → "
                    + Formats.money(after.monthlyPrice()));
        }
        if (!before.yearlyPrice().equals(after.yearlyPrice())) {
            changes.add(
                    "yearly price " + before.yearlyPrice().map(Formats::money).orElse("none") + " → "
                            + after.yearlyPrice().map(Formats::money).orElse("none"));
        }
        if (before.tokensPerPeriod() != after.tokensPerPeriod()) {
            changes.add("tokens " + Formats.tokens(before.tokensPerPeriod()) + " → "
                    + Formats.tokens(after.tokensPerPeriod()));
        }
        if (!before.rolloverCap().equals(after.rolloverCap())) {
            changes.add(
                    "rollover cap " + before.rolloverCap().map(Formats::tokens).orElse("none") + " → "
                            + after.rolloverCap().map(Formats::tokens).orElse("none"));
        }
        if (before.active() != after.active()) {
            changes.add(after.active() ? "reactivated" : "deactivated");
        }
        if (!before.description().equals(after.description())) {
            changes.add("description");
        }
        if (before.sortOrder() != after.sortOrder()) {
            changes.add("sort order " + before.sortOrder() + " → " + after.sortOrder());
        }
        return String.join(", ", changes);
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

    private static long countTiers(List<SeededTier> seeded, Change change) {
        return seeded.stream().filter(item -> item.change() == change).count();
    }

    private void structured(
            List<SeededTier> seededTiers,
            Map<String, TierSync> syncedTiers,
            List<Seeded> seeded,
            Map<String, PackageSync> synced) {
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
        List<ObjectNode> tierRows = new ArrayList<>();
        for (SeededTier item : seededTiers) {
            TierDefinition definition = item.definition();
            ObjectNode row = Output.newObject();
            row.put("slug", definition.slug());
            row.put("name", definition.name());
            row.put("change", item.change().name().toLowerCase(java.util.Locale.ROOT));
            row.put("monthlyPrice", Formats.plainMoney(definition.monthlyPrice()));
            row.put(
                    "yearlyPrice",
                    definition.yearlyPrice().map(Formats::plainMoney).orElse(null));
            row.put("currency", definition.monthlyPrice().currency().getCurrencyCode());
            row.put("tokensPerPeriod", definition.tokensPerPeriod());
            row.put("rolloverCap", definition.rolloverCap().orElse(null));
            row.put("active", definition.active());
            row.put("free", free(definition));
            TierSync sync = free(definition) ? null : syncedTiers.get(definition.slug());
            row.put("stripeChange", sync == null ? null : sync.change().name().toLowerCase(java.util.Locale.ROOT));
            row.put("stripeProductId", sync == null ? null : blankToNull(sync.productId()));
            row.put("stripeMonthlyPriceId", sync == null ? null : blankToNull(sync.monthlyPriceId()));
            row.put("stripeYearlyPriceId", sync == null ? null : blankToNull(sync.yearlyPriceId()));
            tierRows.add(row);
        }
        if (out().isJson()) {
            ObjectNode json = Output.newObject();
            json.put("dryRun", dryRun);
            json.put("withStripe", withStripe);
            ArrayNode packages = json.putArray("packages");
            rows.forEach(packages::add);
            ArrayNode tiers = json.putArray("tiers");
            tierRows.forEach(tiers::add);
            ObjectNode summary = json.putObject("summary");
            summary.put("created", count(seeded, Change.CREATED));
            summary.put("updated", count(seeded, Change.UPDATED));
            summary.put("unchanged", count(seeded, Change.UNCHANGED));
            summary.put("tiersCreated", countTiers(seededTiers, Change.CREATED));
            summary.put("tiersUpdated", countTiers(seededTiers, Change.UPDATED));
            summary.put("tiersUnchanged", countTiers(seededTiers, Change.UNCHANGED));
            out().json(json);
        } else {
            // CSV: the package rows as before, then one row per tier (kind "tier"): its price is the
            // monthly one, its tokenAmount the tokens per period, its stripePriceId the monthly price.
            rows.forEach(row -> row.put("kind", "package"));
            for (ObjectNode tier : tierRows) {
                ObjectNode row = Output.newObject();
                row.set("slug", tier.get("slug"));
                row.set("name", tier.get("name"));
                row.set("change", tier.get("change"));
                row.set("tokenAmount", tier.get("tokensPerPeriod"));
                row.set("price", tier.get("monthlyPrice"));
                row.set("currency", tier.get("currency"));
                row.set("active", tier.get("active"));
                row.set("stripeChange", tier.get("stripeChange"));
                row.set("stripeProductId", tier.get("stripeProductId"));
                row.set("stripePriceId", tier.get("stripeMonthlyPriceId"));
                row.putNull("validityDays");
                row.put("kind", "tier");
                row.set("yearlyPrice", tier.get("yearlyPrice"));
                row.set("rolloverCap", tier.get("rolloverCap"));
                row.set("stripeYearlyPriceId", tier.get("stripeYearlyPriceId"));
                rows.add(row);
            }
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
                    "validityDays",
                    // Appended after the original fields so CSV columns keep their positions.
                    "kind",
                    "yearlyPrice",
                    "rolloverCap",
                    "stripeYearlyPriceId")) {
                columns.add(Output.Column.of(field, field, row -> row.get(field)));
            }
            out().rows(columns, rows, "");
        }
    }

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text;
    }
}
