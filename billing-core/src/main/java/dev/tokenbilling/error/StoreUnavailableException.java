package dev.tokenbilling.error;

/**
 * The database could not be reached or refused the work for a transient reason (connection lost,
 * deadlock, lock timeout). Nothing was committed; the operation is safe to retry.
 */
public class StoreUnavailableException extends BillingException {

    private static final long serialVersionUID = 1L;

    public StoreUnavailableException(String message, Throwable cause) {
        super(BillingError.STORE_UNAVAILABLE, message, cause);
    }
}
