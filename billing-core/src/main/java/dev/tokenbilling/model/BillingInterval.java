package dev.tokenbilling.model;

import java.time.ZonedDateTime;
import java.util.Locale;

/** How often a subscription renews: each renewal pays for one period and grants one allowance. */
public enum BillingInterval {
    MONTH,
    YEAR;

    /** Stripe's name for it ({@code recurring.interval}). */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The interval with this Stripe name ({@code month}, {@code year}). */
    public static BillingInterval fromWireName(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }

    /** One period after {@code start}, in UTC calendar terms (Jan 31 + 1 month = Feb 28). */
    public ZonedDateTime after(ZonedDateTime start) {
        return this == MONTH ? start.plusMonths(1) : start.plusYears(1);
    }
}
