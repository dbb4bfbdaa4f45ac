package dev.tokenbilling.error;

/** No token package has the given slug. */
public class UnknownPackageException extends BillingException {

    private static final long serialVersionUID = 1L;

    private final String slug;

    public UnknownPackageException(String slug) {
        super(BillingError.UNKNOWN_PACKAGE, "Unknown token package '" + Echo.cap(slug) + "'");
        this.slug = slug;
    }

    public String slug() {
        return slug;
    }
}
