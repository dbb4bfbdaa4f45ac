package dev.tokenbilling.payment;

/** How one package stands on Stripe after a sync: its Product and active Price, and what changed. */
public record PackageSync(String slug, Change change, String productId, String priceId, String detail) {

    public enum Change {
        CREATED,
        UPDATED,
        UNCHANGED,
        ARCHIVED
    }
}
