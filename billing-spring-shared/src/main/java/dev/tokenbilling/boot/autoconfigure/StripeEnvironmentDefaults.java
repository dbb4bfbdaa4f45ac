package dev.tokenbilling.boot.autoconfigure;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * What {@link BillingEnvironmentPostProcessor} adds, free of Spring Boot's
 * {@code EnvironmentPostProcessor} interface (whose package differs between Boot generations).
 */
final class StripeEnvironmentDefaults {

    static final String PROPERTY_SOURCE_NAME = "billingStripeEnvironmentVariables";

    static final Map<String, Object> DEFAULTS;

    static {
        Map<String, Object> defaults = new LinkedHashMap<>();
        defaults.put("billing.stripe.secret-key", "${STRIPE_SECRET_KEY:}");
        defaults.put("billing.stripe.webhook-secret", "${STRIPE_WEBHOOK_SECRET:}");
        defaults.put(
                "billing.stripe.publishable-key",
                "${STRIPE_PUBLIC_KEY:${STRIPE_PUBLISHABLE_KEY:${VITE_STRIPE_PUBLISHABLE_KEY:}}}");
        DEFAULTS = Map.copyOf(defaults);
    }

    private StripeEnvironmentDefaults() {}

    /** Adds the defaults with the lowest precedence, once. */
    static void addTo(ConfigurableEnvironment environment) {
        if (!environment.getPropertySources().contains(PROPERTY_SOURCE_NAME)) {
            environment.getPropertySources().addLast(new MapPropertySource(PROPERTY_SOURCE_NAME, DEFAULTS));
        }
    }
}
