package dev.tokenbilling.testkit.stripe.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An error answered with Stripe's error JSON ({@code {"error":{"type":...}}}) and an HTTP status that
 * makes stripe-java raise the matching exception.
 */
public final class StripeApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String type;
    private final String code;
    private final String declineCode;
    private final String param;
    private final transient ObjectNode extra = Json.object();

    private StripeApiError(int status, String type, String code, String declineCode, String param, String message) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.code = code;
        this.declineCode = declineCode;
        this.param = param;
    }

    /** 400 {@code invalid_request_error} with a code and the parameter at fault. */
    public static StripeApiError invalidRequest(String code, String param, String message) {
        return new StripeApiError(400, "invalid_request_error", code, null, param, message);
    }

    /** 400 for a parameter whose value cannot be used. */
    public static StripeApiError invalidParam(String param, String message) {
        return invalidRequest("parameter_invalid", param, message);
    }

    /** 400 for a missing required parameter. */
    public static StripeApiError missingParam(String param) {
        return invalidRequest("parameter_missing", param, "Missing required param: " + param + ".");
    }

    /** 400 for a parameter the endpoint does not know. */
    public static StripeApiError unknownParam(String param) {
        return invalidRequest("parameter_unknown", param, "Received unknown parameter: " + param);
    }

    /**
     * An id that names nothing: 404 for the object a path names ({@code param} "id"), 400 for an object a
     * parameter names, as Stripe answers.
     */
    public static StripeApiError resourceMissing(String objectType, String id, String param) {
        return new StripeApiError(
                param == null || param.equals("id") ? 404 : 400,
                "invalid_request_error",
                "resource_missing",
                null,
                param,
                "No such " + objectType + ": '" + id + "'");
    }

    /** 404 for a path no route serves. */
    public static StripeApiError unrecognizedUrl(String method, String path) {
        return new StripeApiError(
                404,
                "invalid_request_error",
                null,
                null,
                null,
                "Unrecognized request URL ("
                        + method
                        + ": "
                        + path
                        + "). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.");
    }

    /** 400 for an object whose state forbids the call. */
    public static StripeApiError unexpectedState(String message) {
        return invalidRequest("payment_intent_unexpected_state", null, message);
    }

    /** 401 for a missing or wrong API key. */
    public static StripeApiError authentication(String message) {
        return new StripeApiError(401, "invalid_request_error", null, null, null, message);
    }

    /** 402 {@code card_error}, a decline or a bad card detail. */
    public static StripeApiError card(String code, String declineCode, String param, String message) {
        return new StripeApiError(402, "card_error", code, declineCode, param, message);
    }

    /** 429 rate limit. */
    public static StripeApiError rateLimit() {
        return new StripeApiError(
                429,
                "invalid_request_error",
                "rate_limit",
                null,
                null,
                "Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.");
    }

    /** 500 {@code api_error}. */
    public static StripeApiError server(String message) {
        return new StripeApiError(500, "api_error", null, null, null, message);
    }

    /** 400 {@code idempotency_error}. */
    public static StripeApiError idempotency(String message) {
        return new StripeApiError(400, "idempotency_error", null, null, null, message);
    }

    /** Adds a field to the error object (e.g. {@code payment_intent}, {@code charge}). */
    public StripeApiError with(String field, JsonNode value) {
        extra.set(field, value);
        return this;
    }

    /** Adds a text field to the error object. */
    public StripeApiError with(String field, String value) {
        extra.put(field, value);
        return this;
    }

    /** HTTP status. */
    public int status() {
        return status;
    }

    /** Whether Stripe would keep this result for an idempotency key (the endpoint ran). */
    public boolean executed() {
        return status == 402;
    }

    /** Stripe's error type. */
    public String type() {
        return type;
    }

    /** Error code or null. */
    public String code() {
        return code;
    }

    /** The error JSON body. */
    public ObjectNode toJson(String requestId) {
        ObjectNode error = Json.object();
        if (code != null) {
            error.put("code", code);
            error.put("doc_url", "https://stripe.com/docs/error-codes/" + code.replace('_', '-'));
        }
        if (declineCode != null) {
            error.put("decline_code", declineCode);
        }
        error.put("message", getMessage());
        if (param != null) {
            error.put("param", param);
        }
        if (requestId != null) {
            error.put("request_log_url", "https://dashboard.stripe.com/test/logs/" + requestId);
        }
        error.setAll(extra);
        error.put("type", type);
        ObjectNode body = Json.object();
        body.set("error", error);
        return body;
    }
}
