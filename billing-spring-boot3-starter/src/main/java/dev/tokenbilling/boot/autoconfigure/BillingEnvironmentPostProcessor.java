package dev.tokenbilling.boot.autoconfigure;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Makes the usual Stripe environment variables work out of the box: adds, with the lowest precedence,
 * {@code billing.stripe.secret-key=${STRIPE_SECRET_KEY:}},
 * {@code billing.stripe.webhook-secret=${STRIPE_WEBHOOK_SECRET:}} and
 * {@code billing.stripe.publishable-key=${STRIPE_PUBLIC_KEY:${STRIPE_PUBLISHABLE_KEY:${VITE_STRIPE_PUBLISHABLE_KEY:}}}}
 * (the names core's {@code StripeSettings.fromEnvironment} reads, plus {@code STRIPE_PUBLISHABLE_KEY}). Any
 * {@code billing.stripe.*} value set elsewhere (properties, YAML, command line,
 * {@code BILLING_STRIPE_SECRET_KEY}) wins.
 */
public class BillingEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

    /** Name of the property source this adds. */
    public static final String PROPERTY_SOURCE_NAME = StripeEnvironmentDefaults.PROPERTY_SOURCE_NAME;

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        StripeEnvironmentDefaults.addTo(environment);
    }

    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
