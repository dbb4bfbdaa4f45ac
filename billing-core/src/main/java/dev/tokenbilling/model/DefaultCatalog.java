package dev.tokenbilling.model;

import java.util.List;

/**
 * The catalog a new installation starts with ({@code billing seed}, the examples, tests): three
 * subscription tiers and three token packs in US dollars. Hosts sell their own by saving other
 * definitions.
 */
public final class DefaultCatalog {

    /** Starter: 100,000 tokens for $5.00. */
    public static final PackageDefinition STARTER = new PackageDefinition(
            "starter-100k",
            "Starter",
            "starter",
            100_000,
            Money.of(500, "USD"),
            "100,000 AI tokens - perfect for occasional extra requests",
            true,
            1);
    /** Booster: 500,000 tokens for $20.00. */
    public static final PackageDefinition BOOSTER = new PackageDefinition(
            "booster-500k",
            "Booster",
            "booster",
            500_000,
            Money.of(2000, "USD"),
            "500,000 AI tokens - great value for regular users",
            true,
            2);
    /** Power: 1,000,000 tokens for $35.00. */
    public static final PackageDefinition POWER = new PackageDefinition(
            "power-1m",
            "Power",
            "power",
            1_000_000,
            Money.of(3500, "USD"),
            "1,000,000 AI tokens - best value for power users",
            true,
            3);

    /** Explorer: the free tier, 50,000 tokens each month. */
    public static final TierDefinition EXPLORER = TierDefinition.monthly(
            "explorer", "Explorer", Money.of(0, "USD"), 50_000, "50,000 AI tokens every month, free", 0);
    /** Plus: 600,000 tokens each month for $10.00/month or $100.00/year. */
    public static final TierDefinition PLUS = TierDefinition.monthly(
                    "plus", "Plus", Money.of(1000, "USD"), 600_000, "600,000 AI tokens every month", 1)
            .withYearlyPrice(Money.of(10000, "USD"));
    /** Pro: 2,000,000 tokens each month for $25.00/month or $250.00/year; up to 500,000 unused roll over. */
    public static final TierDefinition PRO = TierDefinition.monthly(
                    "pro",
                    "Pro",
                    Money.of(2500, "USD"),
                    2_000_000,
                    "2,000,000 AI tokens every month; up to 500,000 unused tokens roll over",
                    2)
            .withYearlyPrice(Money.of(25000, "USD"))
            .withRolloverCap(500_000);

    private DefaultCatalog() {}

    /** Explorer (free), Plus and Pro, in display order. */
    public static List<TierDefinition> tiers() {
        return List.of(EXPLORER, PLUS, PRO);
    }

    /** Starter, Booster and Power, in display order. */
    public static List<PackageDefinition> packages() {
        return List.of(STARTER, BOOSTER, POWER);
    }
}
