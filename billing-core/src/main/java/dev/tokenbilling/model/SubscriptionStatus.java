package dev.tokenbilling.model;

import java.util.Locale;

/** A subscription's state, as Stripe names it. */
public enum SubscriptionStatus {
    INCOMPLETE,
    INCOMPLETE_EXPIRED,
    TRIALING,
    ACTIVE,
    /** A renewal failed: no new allowance until an invoice is paid; what the user holds stays until it expires. */
    PAST_DUE,
    CANCELED,
    UNPAID,
    PAUSED;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static SubscriptionStatus fromWireName(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }

    /** True while the subscription entitles the user to its tier (Stripe's "active" and "trialing"). */
    public boolean entitles() {
        return this == ACTIVE || this == TRIALING;
    }

    /**
     * True while the user holds the subscription's tier, paid up or not: everything but ended and
     * never-paid ({@code incomplete}) subscriptions. Such a user is not on the free tier.
     */
    public boolean holdsTier() {
        return !ended() && this != INCOMPLETE;
    }

    /** True once it can never renew again. */
    public boolean ended() {
        return this == CANCELED || this == INCOMPLETE_EXPIRED;
    }
}
