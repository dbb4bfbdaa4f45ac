package dev.tokenbilling.model;

import java.util.Locale;

/** Where an auto-recharge attempt stands. */
public enum RechargeStatus {
    /** Recorded by the posting that crossed the threshold; the worker buys the pack next. */
    PENDING,
    /** The worker is buying the pack. */
    PROCESSING,
    /** The pack was paid; its purchase credits the tokens. */
    SUCCEEDED,
    /** The card was declined as often as the rule allows; the rule is paused. */
    FAILED,
    /** The card needs the user (authentication): the rule is paused until they pay on-session. */
    REQUIRES_ACTION,
    /** Not attempted: the rule was paused or off, or its monthly limits were reached. */
    SKIPPED;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static RechargeStatus fromWireName(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
