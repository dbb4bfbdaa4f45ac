package dev.tokenbilling.testkit.stripe.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;

/**
 * Billing periods of recurring prices, counted from the billing cycle anchor in UTC, so that a month
 * from the 31st ends on the last day of shorter months and comes back to the 31st after them.
 */
public final class Intervals {
    private Intervals() {}

    /** {@code anchor} plus {@code n} intervals of {@code recurring} ({@code interval}, {@code interval_count}). */
    public static long after(long anchor, JsonNode recurring, long n) {
        ZonedDateTime start = Instant.ofEpochSecond(anchor).atZone(ZoneOffset.UTC);
        long steps = n * recurring.path("interval_count").asLong(1);
        ZonedDateTime end = switch (recurring.get("interval").asText()) {
            case "day" -> start.plusDays(steps);
            case "week" -> start.plusWeeks(steps);
            case "year" -> start.plusYears(steps);
            default -> start.plusMonths(steps);
        };
        return end.toEpochSecond();
    }

    /** The end of the first period from {@code anchor} that ends after {@code time}. */
    public static long nextEnd(long anchor, JsonNode recurring, long time) {
        long n = 1;
        while (after(anchor, recurring, n) <= time) {
            n++;
        }
        return after(anchor, recurring, n);
    }
}
