package dev.tokenbilling.testkit.stripe;

/**
 * One API request FakeStripe answered, as kept in {@link FakeStripe#requests()}.
 *
 * @param requestId the {@code Request-Id} answered
 * @param method HTTP method
 * @param path the path
 * @param params the parameters as JSON (bracket notation unfolded)
 * @param idempotencyKey the {@code Idempotency-Key} header, or null
 * @param status the HTTP status answered
 */
public record RecordedRequest(
        String requestId, String method, String path, String params, String idempotencyKey, int status) {}
