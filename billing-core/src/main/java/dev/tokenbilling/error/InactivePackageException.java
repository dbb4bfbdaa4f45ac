package dev.tokenbilling.error;

/** The token package exists but is no longer on sale. */
public class InactivePackageException extends BillingException {

    private static final long serialVersionUID = 1L;

    private final String slug;

    public InactivePackageException(String slug) {
        super(BillingError.PACKAGE_INACTIVE, "Token package '" + Echo.cap(slug) + "' is not active");
        this.slug = slug;
    }

    public String slug() {
        return slug;
    }
}
