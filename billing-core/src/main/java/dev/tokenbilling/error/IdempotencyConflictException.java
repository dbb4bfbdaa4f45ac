package dev.tokenbilling.error;

/**
 * An idempotency key was used again with different parameters. The first request stands; the
 * second one changed nothing. Like Stripe, we refuse rather than guess which one the caller meant.
 */
public class IdempotencyConflictException extends BillingException {

    private static final long serialVersionUID = 1L;

    private final String idempotencyKey;

    public IdempotencyConflictException(String idempotencyKey, String detail) {
        super(
                BillingError.IDEMPOTENCY_CONFLICT,
                "Idempotency key '" + idempotencyKey + "' was already used with different parameters: " + detail);
        this.idempotencyKey = idempotencyKey;
    }

    public String idempotencyKey() {
        return idempotencyKey;
    }
}
