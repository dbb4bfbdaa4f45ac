package dev.tokenbilling.model;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * Where a purchase is in its life. Every change is a guarded transition: only the statuses in
 * {@link #allowedSources()} can move to this one, so a late or repeated event changes nothing.
 */
public enum PurchaseStatus {
    PENDING,
    PROCESSING,
    REQUIRES_ACTION,
    /** The last payment attempt failed; the PaymentIntent may still succeed with another card. */
    FAILED,
    COMPLETED,
    CANCELED,
    PARTIALLY_REFUNDED,
    REFUNDED,
    DISPUTED;

    /** Statuses in which Stripe may still take the money: the reconciler's "stuck" set. */
    public static final Set<PurchaseStatus> OPEN = EnumSet.of(PENDING, PROCESSING, REQUIRES_ACTION, FAILED);

    /** The statuses a purchase must be in to move to this one. */
    public Set<PurchaseStatus> allowedSources() {
        return switch (this) {
            case PENDING -> EnumSet.noneOf(PurchaseStatus.class);
            case PROCESSING, REQUIRES_ACTION, FAILED -> EnumSet.of(PENDING, PROCESSING, REQUIRES_ACTION, FAILED);
            case COMPLETED -> EnumSet.copyOf(OPEN);
            case CANCELED -> EnumSet.copyOf(OPEN);
            case PARTIALLY_REFUNDED -> EnumSet.of(COMPLETED, PARTIALLY_REFUNDED, DISPUTED);
            case REFUNDED -> EnumSet.of(COMPLETED, PARTIALLY_REFUNDED, DISPUTED);
            case DISPUTED -> EnumSet.of(COMPLETED, PARTIALLY_REFUNDED);
        };
    }

    /** True once the purchase's tokens were credited (even if later reversed). */
    public boolean credited() {
        return this == COMPLETED || this == PARTIALLY_REFUNDED || this == REFUNDED || this == DISPUTED;
    }

    /** The lower-case wire name used in the database, JSON and the CLI ({@code requires_action}). */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a wire name ({@code pending}) or enum name, or throws {@link IllegalArgumentException} listing the valid ones. */
    public static PurchaseStatus fromWireName(String name) {
        for (PurchaseStatus status : values()) {
            if (status.wireName().equalsIgnoreCase(name) || status.name().equalsIgnoreCase(name)) {
                return status;
            }
        }
        throw new IllegalArgumentException("unknown purchase status '" + name + "'; expected one of "
                + java.util.Arrays.stream(values()).map(PurchaseStatus::wireName).toList());
    }
}
