package dev.tokenbilling.model;

import java.util.Locale;

/** Where a hold is: active until settled, released, or expired past its time to live. */
public enum ReservationStatus {
    ACTIVE,
    SETTLED,
    RELEASED,
    EXPIRED;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static ReservationStatus fromWireName(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
