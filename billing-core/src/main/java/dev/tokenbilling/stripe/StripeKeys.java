package dev.tokenbilling.stripe;

import dev.tokenbilling.error.BillingError;
import dev.tokenbilling.error.BillingException;

/**
 * The one place that knows Stripe's key formats: which prefix makes a secret, restricted,
 * publishable or webhook-signing key, which are live, and how to show one without revealing it.
 * The builder, the Spring starter and the CLI all check keys here.
 */
public final class StripeKeys {

    private StripeKeys() {}

    /** A secret ({@code sk_}) or restricted ({@code rk_}) API key. */
    public static boolean isSecretKey(String key) {
        return key != null && (key.startsWith("sk_") || key.startsWith("rk_"));
    }

    /** A publishable key ({@code pk_}), safe to hand to the browser. */
    public static boolean isPublishableKey(String key) {
        return key != null && key.startsWith("pk_");
    }

    /** A webhook signing secret ({@code whsec_}). */
    public static boolean isWebhookSecret(String key) {
        return key != null && key.startsWith("whsec_");
    }

    /** True for a live-mode key ({@code sk_live_}, {@code rk_live_}, {@code pk_live_}). */
    public static boolean isLive(String key) {
        return key != null && (key.startsWith("sk_live_") || key.startsWith("rk_live_") || key.startsWith("pk_live_"));
    }

    /** "live" or "test", for messages. */
    public static String mode(String key) {
        return isLive(key) ? "live" : "test";
    }

    /** Shows a key's kind and last four characters only: {@code sk_test_…abcd}. */
    public static String mask(String secret) {
        if (secret == null || secret.isEmpty()) {
            return "(none)";
        }
        int prefixEnd = secret.startsWith("whsec_") ? 6 : secret.indexOf('_', secret.indexOf('_') + 1) + 1;
        String prefix = prefixEnd > 0 && prefixEnd < secret.length() ? secret.substring(0, prefixEnd) : "";
        String last = secret.length() > prefix.length() + 8 ? secret.substring(secret.length() - 4) : "";
        return prefix + "…" + last;
    }

    /**
     * Refuses a missing or malformed secret key, naming {@code field} (a builder setting, a property or
     * an environment variable) and never showing the key itself.
     */
    public static String requireSecretKey(String field, String key) {
        if (key == null || key.isBlank()) {
            throw invalid(field, "is missing; set STRIPE_SECRET_KEY (sk_test_... for test mode)");
        }
        if (!isSecretKey(key)) {
            throw invalid(field, "must be a secret key (sk_test_... or sk_live_...), was " + mask(key));
        }
        return key;
    }

    /** Refuses a publishable key that is not one, or whose mode differs from the secret key's. */
    public static void requirePublishableKey(String field, String publishableKey, String secretKey) {
        if (!isPublishableKey(publishableKey)) {
            throw invalid(field, "must be a publishable key (pk_test_... or pk_live_...)");
        }
        if (isLive(publishableKey) != isLive(secretKey)) {
            throw invalid(
                    field,
                    "is for " + mode(publishableKey) + " mode but the secret key " + mask(secretKey) + " is not");
        }
    }

    static BillingException invalid(String field, String problem) {
        return new BillingException(BillingError.INVALID_CONFIGURATION, field + ": " + problem);
    }
}
