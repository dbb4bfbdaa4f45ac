package dev.tokenbilling.testkit.stripe;

/** A failure {@link FakeStripe#failNext(String, int, FaultKind)} injects into API requests. */
public enum FaultKind {
    /** HTTP 500 {@code api_error}; nothing is done. stripe-java raises {@code ApiException}. */
    SERVER_ERROR,
    /** HTTP 429 {@code rate_limit}; nothing is done. stripe-java raises {@code RateLimitException}. */
    RATE_LIMIT,
    /**
     * The request is carried out (and kept for its idempotency key) but the answer is held back for
     * {@link FakeStripe#setTimeoutDelay(java.time.Duration)}, longer than the client waits, so the client
     * sees a read timeout ({@code ApiConnectionException}) and a retry with the same idempotency key gets
     * the kept result.
     */
    TIMEOUT
}
