package dev.tokenbilling.testkit.stripe.internal;

/**
 * The API request being handled on this thread, so that the events it causes carry Stripe's
 * {@code request} block ({@code id}, {@code idempotency_key}). Empty for changes made by test helpers.
 */
public final class RequestScope {
    private static final ThreadLocal<RequestScope> CURRENT = new ThreadLocal<>();

    private final String requestId;
    private final String idempotencyKey;

    private RequestScope(String requestId, String idempotencyKey) {
        this.requestId = requestId;
        this.idempotencyKey = idempotencyKey;
    }

    /** Runs {@code body} with this thread's request set. */
    public static <T> T with(String requestId, String idempotencyKey, java.util.function.Supplier<T> body) {
        RequestScope previous = CURRENT.get();
        CURRENT.set(new RequestScope(requestId, idempotencyKey));
        try {
            return body.get();
        } finally {
            if (previous == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(previous);
            }
        }
    }

    /** The request id, or null outside a request. */
    public static String requestId() {
        RequestScope scope = CURRENT.get();
        return scope == null ? null : scope.requestId;
    }

    /** The idempotency key, or null. */
    public static String idempotencyKey() {
        RequestScope scope = CURRENT.get();
        return scope == null ? null : scope.idempotencyKey;
    }
}
