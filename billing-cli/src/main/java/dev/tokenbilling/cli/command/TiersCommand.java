package dev.tokenbilling.cli.command;

import dev.tokenbilling.cli.CliContext;
import dev.tokenbilling.cli.ExitCodes;
import dev.tokenbilling.cli.Formats;
import dev.tokenbilling.cli.Output.Column;
import dev.tokenbilling.cli.Output.Style;
import dev.tokenbilling.model.Money;
import dev.tokenbilling.model.SubscriptionTier;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code billing tiers [--all]}: the subscription tiers with their prices, allowance and Stripe ids. */
@Command(
        name = "tiers",
        description = {
            "The subscription tiers on sale, with monthly and yearly price, tokens per period, rollover cap and Stripe"
                    + " ids.",
            "--all adds inactive ones."
        })
public final class TiersCommand extends BaseCommand {

    @Option(names = "--all", description = "Include inactive tiers.")
    boolean all;

    public TiersCommand(CliContext context) {
        super(context);
    }

    static List<Column<SubscriptionTier>> columns() {
        return List.of(
                Column.<SubscriptionTier>of("SLUG", "slug", SubscriptionTier::slug),
                Column.<SubscriptionTier>of("NAME", "name", SubscriptionTier::name),
                Column.<SubscriptionTier>text(
                                "MONTHLY",
                                "monthlyPrice",
                                t -> t.monthlyPrice().majorUnits(),
                                t -> t.free() ? "free" : Formats.money(t.monthlyPrice()))
                        .right(),
                Column.<SubscriptionTier>text(
                                "YEARLY",
                                "yearlyPrice",
                                t -> t.yearlyPrice().map(Money::majorUnits),
                                t -> t.yearlyPrice().map(Formats::money).orElse("-"))
                        .right(),
                Column.<SubscriptionTier>of(
                                "CURRENCY",
                                "currency",
                                t -> t.monthlyPrice().currency().getCurrencyCode())
                        .hiddenInTable(),
                Column.<SubscriptionTier>tokens("TOKENS/MONTH", "tokensPerPeriod", SubscriptionTier::tokensPerPeriod),
                Column.<SubscriptionTier>text(
                                "ROLLOVER CAP",
                                "rolloverCap",
                                SubscriptionTier::rolloverCap,
                                t -> t.rolloverCap().map(Formats::tokens).orElse("-"))
                        .right(),
                Column.<SubscriptionTier>text(
                                "ACTIVE", "active", SubscriptionTier::active, t -> t.active() ? "yes" : "no")
                        .styled(t -> t.active() ? Style.PLAIN : Style.DIM),
                Column.<SubscriptionTier>of("FREE", "free", SubscriptionTier::free)
                        .hiddenInTable(),
                Column.<SubscriptionTier>text(
                        "STRIPE PRODUCT",
                        "stripeProductId",
                        SubscriptionTier::stripeProductId,
                        t -> t.free() ? "(free)" : t.stripeProductId().orElse("-")),
                Column.<SubscriptionTier>text(
                                "MONTHLY PRICE",
                                "stripeMonthlyPriceId",
                                SubscriptionTier::stripeMonthlyPriceId,
                                t -> t.stripeMonthlyPriceId().orElse("-"))
                        .styled(t -> unsynced(t) ? Style.YELLOW : Style.PLAIN),
                Column.<SubscriptionTier>text(
                                "YEARLY PRICE",
                                "stripeYearlyPriceId",
                                SubscriptionTier::stripeYearlyPriceId,
                                t -> t.stripeYearlyPriceId().orElse("-"))
                        .styled(t -> t.active()
                                        && t.yearlyPrice().isPresent()
                                        && t.stripeYearlyPriceId().isEmpty()
                                ? Style.YELLOW
                                : Style.PLAIN),
                Column.<SubscriptionTier>of("DESCRIPTION", "description", SubscriptionTier::description)
                        .hiddenInTable(),
                Column.<SubscriptionTier>of("SORT", "sortOrder", SubscriptionTier::sortOrder)
                        .hiddenInTable());
    }

    /** An active paid tier without the Stripe prices it is sold at: nobody can subscribe to it yet. */
    private static boolean unsynced(SubscriptionTier tier) {
        return tier.active()
                && !tier.free()
                && (tier.stripeMonthlyPriceId().isEmpty()
                        || (tier.yearlyPrice().isPresent()
                                && tier.stripeYearlyPriceId().isEmpty()));
    }

    @Override
    protected int run() {
        List<SubscriptionTier> tiers =
                all ? service().catalog().allTiers() : service().catalog().tiers();
        out().rows(
                        columns(),
                        tiers,
                        "No tiers" + (all ? "" : " on sale") + ": run 'billing seed' to create the default catalog.");
        if (out().isTable() && tiers.stream().anyMatch(TiersCommand::unsynced)) {
            out().note(
                            "note: paid tiers without their Stripe prices cannot be subscribed to: run 'billing stripe sync'");
        }
        return ExitCodes.OK;
    }
}
