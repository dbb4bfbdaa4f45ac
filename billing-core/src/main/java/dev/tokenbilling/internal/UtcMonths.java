package dev.tokenbilling.internal;

import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;

/** Calendar months in UTC, the months of spend limits (migration V8) and of the free tier's allowance. */
public final class UtcMonths {

    private UtcMonths() {}

    /** The first instant of the UTC month after the one {@code at} falls in: when a month's count resets. */
    public static Instant startOfNext(Instant at) {
        return YearMonth.from(at.atOffset(ZoneOffset.UTC))
                .plusMonths(1)
                .atDay(1)
                .atStartOfDay()
                .toInstant(ZoneOffset.UTC);
    }
}
