package dev.tokenbilling.boot.autoconfigure;

import dev.tokenbilling.stripe.StripeSettings;

/** Startup checks of the Stripe keys that the core cannot make: modes and the test-mode-only guard. */
final class StripeKeyChecks {

    private StripeKeyChecks() {
    }

    static void check(BillingProperties.Stripe stripe) {
        String secretKey = trim(stripe.getSecretKey());
        String publishableKey = trim(stripe.getPublishableKey());
        if (secretKey != null && !(secretKey.startsWith("sk_") || secretKey.startsWith("rk_"))) {
            throw new BillingConfigurationException("billing.stripe.secret-key is not a secret key (sk_... or rk_...): "
                    + StripeSettings.mask(secretKey),
                    "Set billing.stripe.secret-key (or STRIPE_SECRET_KEY) to the secret key from the Stripe dashboard, "
                            + "Developers > API keys; the publishable key (pk_...) goes to billing.stripe.publishable-key.");
        }
        if (publishableKey != null && !publishableKey.startsWith("pk_")) {
            throw new BillingConfigurationException("billing.stripe.publishable-key is not a publishable key (pk_...): "
                    + StripeSettings.mask(publishableKey),
                    "Set billing.stripe.publishable-key (or STRIPE_PUBLIC_KEY) to the publishable key (pk_test_... or pk_live_...). "
                            + "Never give a secret key to the browser.");
        }
        if (stripe.isTestModeOnly()) {
            for (String[] key : new String[][] {{"billing.stripe.secret-key", secretKey}, {"billing.stripe.publishable-key", publishableKey}}) {
                if (live(key[1])) {
                    throw new BillingConfigurationException(key[0] + " is a LIVE key (" + StripeSettings.mask(key[1])
                            + ") but billing.stripe.test-mode-only=true",
                            "Use Stripe test keys (sk_test_..., pk_test_...) in this environment, or set "
                                    + "billing.stripe.test-mode-only=false where real payments are intended.");
                }
            }
        }
        if (secretKey != null && publishableKey != null && live(secretKey) != live(publishableKey)) {
            throw new BillingConfigurationException("billing.stripe.secret-key (" + StripeSettings.mask(secretKey)
                    + ") and billing.stripe.publishable-key (" + StripeSettings.mask(publishableKey)
                    + ") belong to different modes; payments would fail in the browser",
                    "Use both keys of the same mode: sk_test_ with pk_test_, or sk_live_ with pk_live_.");
        }
    }

    static boolean live(String key) {
        return key != null && (key.startsWith("sk_live_") || key.startsWith("rk_live_") || key.startsWith("pk_live_"));
    }

    private static String trim(String value) {
        return BillingProperties.hasText(value) ? value.trim() : null;
    }
}
