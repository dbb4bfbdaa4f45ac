package dev.tokenbilling;

/** No token package has the given slug. */
public class UnknownPackageException extends BillingException {

    private static final long serialVersionUID = 1L;

    private final String slug;

    public UnknownPackageException(String slug) {
        super("Unknown token package '" + slug + "'");
        this.slug = slug;
    }

    public String slug() {
        return slug;
    }
}
