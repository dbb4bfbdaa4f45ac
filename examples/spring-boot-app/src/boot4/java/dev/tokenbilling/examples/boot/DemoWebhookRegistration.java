package dev.tokenbilling.examples.boot;

import dev.tokenbilling.boot.autoconfigure.BillingProperties;
import dev.tokenbilling.stripe.WebhookVerification;
import dev.tokenbilling.testkit.stripe.FakeStripe;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/** Demo mode's webhook endpoint registered once the server's port is known: Spring Boot 4's event. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(DemoModeEnvironment.INSTANCE_ID)
class DemoWebhookRegistration {

    @Bean
    ApplicationListener<WebServerInitializedEvent> fakeStripeWebhookRegistration(
            FakeStripe fakeStripe,
            BillingProperties properties,
            WebhookVerification webhooks,
            Environment environment) {
        return event -> {
            if (event.getApplicationContext().getServerNamespace() != null) {
                return; // e.g. a separate management port
            }
            DemoStripeConfiguration.registerWebhookEndpoint(
                    fakeStripe,
                    properties,
                    webhooks,
                    environment,
                    event.getWebServer().getPort());
        };
    }
}
