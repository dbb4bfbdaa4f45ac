package dev.tokenbilling.boot.autoconfigure;

import dev.tokenbilling.stripe.StripeKeys;

/**
 * Startup checks of the {@code billing.stripe.*} keys, in the properties' own names and with what to
 * change: each kind of key where it belongs, both keys of one mode, and the test-mode-only guard.
 * Which prefix makes which key is billing-core's {@link StripeKeys}; keys are shown masked only.
 */
final class StripeKeyChecks {

    private StripeKeyChecks() {}

    /** The API keys: a secret key and a publishable key where each belongs, of one mode, and no live one in test-mode-only. */
    static void checkApiKeys(BillingProperties.Stripe stripe) {
        String secretKey = trim(stripe.getSecretKey());
        String publishableKey = trim(stripe.getPublishableKey());
        if (secretKey != null && !StripeKeys.isSecretKey(secretKey)) {
            throw new BillingConfigurationException(
                    "billing.stripe.secret-key is not a secret key (sk_... or rk_...): " + StripeKeys.mask(secretKey),
                    "Set billing.stripe.secret-key (or STRIPE_SECRET_KEY) to the secret key from the Stripe dashboard, "
                            + "Developers > API keys; the publishable key (pk_...) goes to billing.stripe.publishable-key.");
        }
        if (publishableKey != null && !StripeKeys.isPublishableKey(publishableKey)) {
            throw new BillingConfigurationException(
                    "billing.stripe.publishable-key is not a publishable key (pk_...): "
                            + StripeKeys.mask(publishableKey),
                    "Set billing.stripe.publishable-key (or STRIPE_PUBLIC_KEY) to the publishable key (pk_test_... or pk_live_...). "
                            + "Never give a secret key to the browser.");
        }
        if (stripe.isTestModeOnly()) {
            for (String[] key : new String[][] {
                {"billing.stripe.secret-key", secretKey}, {"billing.stripe.publishable-key", publishableKey}
            }) {
                if (StripeKeys.isLive(key[1])) {
                    throw new BillingConfigurationException(
                            key[0] + " is a LIVE key (" + StripeKeys.mask(key[1])
                                    + ") but billing.stripe.test-mode-only=true",
                            "Use Stripe test keys (sk_test_..., pk_test_...) in this environment, or set "
                                    + "billing.stripe.test-mode-only=false where real payments are intended.");
                }
            }
        }
        if (secretKey != null
                && publishableKey != null
                && StripeKeys.isLive(secretKey) != StripeKeys.isLive(publishableKey)) {
            throw new BillingConfigurationException(
                    "billing.stripe.secret-key (" + StripeKeys.mask(secretKey) + ", "
                            + StripeKeys.mode(secretKey) + " mode) and billing.stripe.publishable-key ("
                            + StripeKeys.mask(publishableKey) + ", "
                            + StripeKeys.mode(publishableKey)
                            + " mode) belong to different modes; payments would fail in the browser",
                    "Use both keys of the same mode: sk_test_ with pk_test_, or sk_live_ with pk_live_.");
        }
    }

    /** The webhook signing secrets: each one a {@code whsec_} secret, never an API key given by mistake. */
    static void checkWebhookSecrets(BillingProperties.Stripe stripe) {
        for (String webhookSecret : stripe.allWebhookSecrets()) {
            if (!StripeKeys.isWebhookSecret(webhookSecret)) {
                throw new BillingConfigurationException(
                        "billing.stripe.webhook-secret is not a webhook signing secret (whsec_...): "
                                + StripeKeys.mask(webhookSecret),
                        "Set billing.stripe.webhook-secret (or STRIPE_WEBHOOK_SECRET) to the endpoint's signing secret (whsec_...) "
                                + "from the Stripe dashboard or 'stripe listen'; API keys go to billing.stripe.secret-key.");
            }
        }
    }

    private static String trim(String value) {
        return BillingProperties.hasText(value) ? value.trim() : null;
    }
}
