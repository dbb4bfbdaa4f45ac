package dev.tokenbilling.examples.boot;

import dev.tokenbilling.boot.autoconfigure.BillingProperties;
import dev.tokenbilling.stripe.WebhookVerification;
import dev.tokenbilling.testkit.stripe.FakeStripe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Demo mode's FakeStripe (started by {@link DemoModeEnvironment}) as a bean closed with the context,
 * and this application's webhook endpoint registered with it once the server's port is known, with
 * the same signing secret the starter verifies deliveries with. Stripe's dashboard does that step
 * for a real deployment; {@code stripe listen} for a local one.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(DemoModeEnvironment.INSTANCE_ID)
class DemoStripeConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(DemoStripeConfiguration.class);

    @Bean(destroyMethod = "close")
    FakeStripe fakeStripe(Environment environment) {
        return DemoModeEnvironment.take(environment.getRequiredProperty(DemoModeEnvironment.INSTANCE_ID));
    }

    /**
     * Registers this application's webhook endpoint with the FakeStripe, once the server listens on
     * {@code port}: called by {@code DemoWebhookRegistration}, the Spring Boot generation's listener of
     * the web server's start (src/boot4 here, examples/spring-boot3-app for Boot 3.5).
     */
    static void registerWebhookEndpoint(
            FakeStripe fakeStripe,
            BillingProperties properties,
            WebhookVerification webhooks,
            Environment environment,
            int port) {
        String address = environment.getProperty("server.address", "127.0.0.1");
        if (address.equals("0.0.0.0") || address.equals("::")) {
            address = "127.0.0.1";
        }
        String url = "http://" + (address.contains(":") ? "[" + address + "]" : address) + ":"
                + port + environment.getProperty("server.servlet.context-path", "")
                + properties.getWebhook().getPath();
        // Signed with the secret the starter verifies deliveries with.
        fakeStripe.registerWebhookEndpoint(url, webhooks.secrets().get(0));
        LOG.info("FakeStripe at {} delivers webhooks to {}", fakeStripe.apiBase(), url);
    }
}
