package dev.tokenbilling.model;

import java.util.List;

/**
 * The catalog a new installation starts with ({@code billing seed}, the examples, tests): three
 * token packs in US dollars. Hosts sell their own packs by saving other definitions.
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

    private DefaultCatalog() {}

    /** Starter, Booster and Power, in display order. */
    public static List<PackageDefinition> packages() {
        return List.of(STARTER, BOOSTER, POWER);
    }
}
