package dev.tokenbilling.error;

/**
 * The package has no Stripe price yet, so it cannot be bought. Fix: run {@code billing seed --with-stripe}
 * (or {@code billing stripe sync}).
 */
public class PackageNotSyncedException extends BillingException {

    private static final long serialVersionUID = 1L;

    private final String slug;

    public PackageNotSyncedException(String slug) {
        super(
                BillingError.PACKAGE_NOT_SYNCED,
                "Missing Stripe price ID for token package '" + Echo.cap(slug)
                        + "'; run 'billing seed --with-stripe' to sync the catalog to Stripe");
        this.slug = slug;
    }

    public String slug() {
        return slug;
    }
}
