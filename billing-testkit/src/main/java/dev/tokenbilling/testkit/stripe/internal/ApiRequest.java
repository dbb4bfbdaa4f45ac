package dev.tokenbilling.testkit.stripe.internal;

import java.util.Map;

/**
 * One API call as a handler sees it.
 *
 * @param method HTTP method
 * @param path the path, e.g. {@code /v1/payment_intents/pi_123/confirm}
 * @param pathVars values of the {@code {name}} segments of the route
 * @param params the parsed form or query parameters
 * @param publishable whether the call was made with a publishable key
 * @param requestId the {@code Request-Id} answered
 */
public record ApiRequest(
        String method,
        String path,
        Map<String, String> pathVars,
        Params params,
        boolean publishable,
        String requestId) {

    /** The {@code {id}} path segment. */
    public String id() {
        return pathVars.get("id");
    }
}
