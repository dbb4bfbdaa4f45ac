package dev.tokenbilling.testkit.stripe.internal;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Checks the API key of a call as Stripe does: {@code Authorization: Bearer sk_test_...} (or Basic with
 * the key as user name), or for Stripe.js calls a {@code key=pk_test_...} parameter. Test-mode keys
 * only; by default any well-formed test key is accepted, or exactly the configured ones.
 */
public final class ApiKeyAuth {
    /** Who is calling. */
    public record Caller(String key, boolean publishable) {}

    private volatile String secretKey;
    private volatile String publishableKey;

    /** Accept only these keys (null: any well-formed test key of that kind). */
    public void require(String secretKey, String publishableKey) {
        this.secretKey = secretKey;
        this.publishableKey = publishableKey;
    }

    /** The caller, or 401 in Stripe's words. */
    public Caller authenticate(String authorization, Params params) {
        String key = null;
        if (authorization != null && !authorization.isBlank()) {
            String a = authorization.trim();
            if (a.regionMatches(true, 0, "Bearer ", 0, 7)) {
                key = a.substring(7).trim();
            } else if (a.regionMatches(true, 0, "Basic ", 0, 6)) {
                try {
                    String decoded =
                            new String(Base64.getDecoder().decode(a.substring(6).trim()), StandardCharsets.UTF_8);
                    key = decoded.contains(":") ? decoded.substring(0, decoded.indexOf(':')) : decoded;
                } catch (IllegalArgumentException e) {
                    throw StripeApiError.authentication("Invalid Basic authorization header.");
                }
            } else {
                throw StripeApiError.authentication("Invalid authorization header. Use Bearer auth, e.g."
                        + " 'Authorization: Bearer YOUR_SECRET_KEY'.");
            }
        } else if (params.string("key") != null) {
            key = params.string("key");
        }
        if (key == null || key.isEmpty()) {
            throw StripeApiError.authentication("You did not provide an API key. You need to provide your"
                    + " API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer"
                    + " YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we"
                    + " can help at https://support.stripe.com/.");
        }
        if (key.startsWith("sk_live_") || key.startsWith("pk_live_") || key.startsWith("rk_live_")) {
            throw StripeApiError.authentication("FakeStripe accepts test mode keys only (sk_test_...,"
                    + " pk_test_...); never give it a live key.");
        }
        boolean publishable = key.startsWith("pk_test_");
        boolean secret = key.startsWith("sk_test_") || key.startsWith("rk_test_");
        String required = publishable ? publishableKey : secretKey;
        if ((!publishable && !secret) || key.length() < 9 || (required != null && !required.equals(key))) {
            throw StripeApiError.authentication("Invalid API Key provided: " + redact(key));
        }
        return new Caller(key, publishable);
    }

    /** The 401 for a publishable key on a secret-key-only endpoint. */
    public static StripeApiError publishableNotAllowed() {
        return StripeApiError.authentication("This API call cannot be made with a publishable API key."
                + " Please use a secret API key. You can find a list of your API keys at"
                + " https://dashboard.stripe.com/account/apikeys.");
    }

    private static String redact(String key) {
        if (key.length() <= 12) {
            return key.substring(0, Math.min(3, key.length())) + "*".repeat(Math.max(0, key.length() - 3));
        }
        return key.substring(0, 8) + "*".repeat(key.length() - 12) + key.substring(key.length() - 4);
    }
}
