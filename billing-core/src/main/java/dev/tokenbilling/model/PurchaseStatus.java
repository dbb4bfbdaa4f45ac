package dev.tokenbilling.model;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * Where a purchase is in its life: {@code pending → processing | requires_action → completed};
 * {@code pending → failed → completed} (a failed attempt may still succeed with another card);
 * {@code → canceled} is final; {@code completed → partially_refunded | refunded | disputed}, and a
 * won dispute returns to where it was. Every change is one guarded update from an explicit set of
 * source statuses, so a late or repeated event changes nothing.
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
    public static final Set<PurchaseStatus> OPEN =
            Collections.unmodifiableSet(EnumSet.of(PENDING, PROCESSING, REQUIRES_ACTION, FAILED));

    /** Statuses of a purchase whose tokens were credited (even if later taken back). */
    public static final Set<PurchaseStatus> CREDITED =
            Collections.unmodifiableSet(EnumSet.of(COMPLETED, PARTIALLY_REFUNDED, REFUNDED, DISPUTED));

    /** True once the purchase's tokens were credited (even if later reversed). */
    public boolean credited() {
        return CREDITED.contains(this);
    }

    /** True while the payment can still succeed. */
    public boolean open() {
        return OPEN.contains(this);
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
                + java.util.Arrays.stream(values())
                        .map(PurchaseStatus::wireName)
                        .toList());
    }
}
