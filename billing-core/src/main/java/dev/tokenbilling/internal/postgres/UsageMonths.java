package dev.tokenbilling.internal.postgres;

import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;

/** Spend limits count usage per calendar month in UTC (migration V8). */
final class UsageMonths {

    private UsageMonths() {}

    /** When the month's count that {@code at} falls in resets: the first instant of the next UTC month. */
    static Instant resetAfter(Instant at) {
        return YearMonth.from(at.atOffset(ZoneOffset.UTC))
                .plusMonths(1)
                .atDay(1)
                .atStartOfDay()
                .toInstant(ZoneOffset.UTC);
    }
}
