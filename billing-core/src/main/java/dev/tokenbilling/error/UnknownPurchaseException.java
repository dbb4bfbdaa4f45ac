package dev.tokenbilling.error;

/** No purchase has the given id (or it belongs to another user). */
public class UnknownPurchaseException extends BillingException {

    private static final long serialVersionUID = 1L;

    public UnknownPurchaseException(String reference) {
        super(BillingError.UNKNOWN_PURCHASE, "Unknown purchase " + Echo.cap(reference));
    }
}
