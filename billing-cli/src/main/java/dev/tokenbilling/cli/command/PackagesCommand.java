package dev.tokenbilling.cli.command;

import dev.tokenbilling.cli.CliContext;
import dev.tokenbilling.cli.ExitCodes;
import dev.tokenbilling.cli.Formats;
import dev.tokenbilling.cli.Output.Column;
import dev.tokenbilling.cli.Output.Style;
import dev.tokenbilling.model.TokenPackage;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code billing packages [--all]}: the catalog with the price per 1M tokens and the Stripe ids. */
@Command(
        name = "packages",
        description = {
            "The token packages on sale, with price per 1M tokens and Stripe ids.",
            "--all adds inactive ones."
        })
public final class PackagesCommand extends BaseCommand {

    @Option(names = "--all", description = "Include inactive packages.")
    boolean all;

    public PackagesCommand(CliContext context) {
        super(context);
    }

    static List<Column<TokenPackage>> columns() {
        return List.of(
                Column.<TokenPackage>of("SLUG", "slug", TokenPackage::slug),
                Column.<TokenPackage>of("NAME", "name", TokenPackage::name),
                Column.<TokenPackage>of("TYPE", "packageType", TokenPackage::packageType),
                Column.<TokenPackage>tokens("TOKENS", "tokenAmount", TokenPackage::tokenAmount),
                Column.<TokenPackage>text("PRICE", "price", p -> p.price().majorUnits(), p -> Formats.money(p.price()))
                        .right(),
                Column.<TokenPackage>of(
                                "CURRENCY",
                                "currency",
                                p -> p.price().currency().getCurrencyCode())
                        .hiddenInTable(),
                Column.<TokenPackage>text(
                                "PER 1M",
                                "pricePerMillionTokens",
                                TokenPackage::pricePerMillionTokens,
                                p -> Formats.money(
                                        p.pricePerMillionTokens(), p.price().currency()))
                        .right(),
                Column.<TokenPackage>text("ACTIVE", "active", TokenPackage::active, p -> p.active() ? "yes" : "no")
                        .styled(p -> p.active() ? Style.PLAIN : Style.DIM),
                Column.<TokenPackage>text(
                        "STRIPE PRODUCT",
                        "stripeProductId",
                        TokenPackage::stripeProductId,
                        p -> p.stripeProductId().orElse("-")),
                Column.<TokenPackage>text(
                                "STRIPE PRICE",
                                "stripePriceId",
                                TokenPackage::stripePriceId,
                                p -> p.stripePriceId().orElse("-"))
                        .styled(p -> p.stripePriceId().isEmpty() && p.active() ? Style.YELLOW : Style.PLAIN),
                Column.<TokenPackage>of("DESCRIPTION", "description", TokenPackage::description)
                        .hiddenInTable(),
                Column.<TokenPackage>of("SORT", "sortOrder", TokenPackage::sortOrder)
                        .hiddenInTable(),
                // Appended after the original fields so CSV columns keep their positions.
                Column.<TokenPackage>text(
                        "VALIDITY",
                        "validityDays",
                        TokenPackage::validityDays,
                        p -> p.validityDays().map(PackagesCommand::validity).orElse("never")));
    }

    /** {@code 30 days}, {@code 1 day}. */
    static String validity(int days) {
        return days + (days == 1 ? " day" : " days");
    }

    @Override
    protected int run() {
        List<TokenPackage> packages =
                all ? service().catalog().allPackages() : service().catalog().packages();
        out().rows(
                        columns(),
                        packages,
                        "No packages" + (all ? "" : " on sale")
                                + ": run 'billing seed' to create the default catalog.");
        if (out().isTable()
                && packages.stream()
                        .anyMatch(p -> p.active() && p.stripePriceId().isEmpty())) {
            out().note(
                            "note: packages without a Stripe price cannot be bought (\"Missing Stripe price ID\"): run 'billing stripe sync'");
        }
        return ExitCodes.OK;
    }
}
