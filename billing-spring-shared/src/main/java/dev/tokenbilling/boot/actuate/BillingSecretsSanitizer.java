package dev.tokenbilling.boot.actuate;

import dev.tokenbilling.stripe.StripeKeys;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.springframework.boot.actuate.endpoint.SanitizableData;
import org.springframework.boot.actuate.endpoint.SanitizingFunction;

/**
 * Masks the Stripe secrets of Token Billing in {@code /actuator/env} and {@code /actuator/configprops}
 * when they show values ({@code management.endpoint.env.show-values=always}): Spring Boot masks
 * nothing by itself then. Masked, whatever property source they come from and in any of Spring's
 * relaxed spellings:
 * <ul>
 * <li>the secret key: {@code billing.stripe.secret-key}, {@code STRIPE_SECRET_KEY},
 * {@code BILLING_STRIPE_SECRET_KEY} (and any other {@code ...stripe.secret-key});</li>
 * <li>the webhook signing secrets: {@code billing.stripe.webhook-secret},
 * {@code billing.stripe.webhook-secrets[n]}, {@code STRIPE_WEBHOOK_SECRET};</li>
 * <li>any value that is itself a Stripe secret (a secret or restricted API key, or a webhook signing
 * secret, by billing-core's {@link StripeKeys}), under whatever name;</li>
 * <li>the password of {@code billing.stripe.api-base} if the address carries one
 * ({@code http://user:******@proxy:8080}).</li>
 * </ul>
 * The publishable key ({@code pk_...}) is public (the payment page gets it) and stays visible.
 */
public class BillingSecretsSanitizer implements SanitizingFunction {

    private static final List<String> SECRET_KEY_SUFFIXES =
            List.of("stripesecretkey", "stripewebhooksecret", "stripewebhooksecrets");
    private static final Pattern URI_PASSWORD = Pattern.compile("^([a-zA-Z][a-zA-Z0-9+.-]*://[^/?#@:]*:)[^/?#@]*@");

    @Override
    public SanitizableData apply(SanitizableData data) {
        if (data.getValue() == null) {
            return data;
        }
        String key = normalize(data.getKey());
        if (SECRET_KEY_SUFFIXES.stream().anyMatch(key::endsWith)) {
            return data.withSanitizedValue();
        }
        String value = String.valueOf(data.getValue());
        if (isStripeSecret(value.strip())) {
            return data.withSanitizedValue();
        }
        if (key.endsWith("stripeapibase") && URI_PASSWORD.matcher(value).find()) {
            return data.withValue(
                    URI_PASSWORD.matcher(value).replaceFirst("$1" + SanitizableData.SANITIZED_VALUE + "@"));
        }
        return data;
    }

    private static boolean isStripeSecret(String value) {
        return StripeKeys.isSecretKey(value) || StripeKeys.isWebhookSecret(value);
    }

    /**
     * {@code billing.stripe.webhook-secrets[0]}, {@code billing.stripe.webhookSecrets} and
     * {@code BILLING_STRIPE_WEBHOOK_SECRETS_0_} all become {@code billingstripewebhooksecrets}.
     */
    static String normalize(String key) {
        if (key == null) {
            return "";
        }
        String lower = key.toLowerCase(Locale.ROOT).replaceAll("\\[[^\\]]*\\]", "");
        return lower.replaceAll("[^a-z0-9]", "").replaceAll("\\d+$", "");
    }
}
