package dev.tokenbilling.examples.boot;

import dev.tokenbilling.examples.boot.DemoDatabaseConfiguration.DemoDatabase;
import dev.tokenbilling.testkit.stripe.FakeStripe;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.web.servlet.config.annotation.ViewControllerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/** The pages (plain static HTML under {@code static/}) at their addresses, and the startup message. */
@Configuration(proxyBeanMethods = false)
class WebConfiguration implements WebMvcConfigurer {

    private static final Logger LOG = LoggerFactory.getLogger(WebConfiguration.class);

    static final String BILLING_PAGE = "/account/settings/billing";

    @Override
    public void addViewControllers(ViewControllerRegistry registry) {
        registry.addRedirectViewController("/", BILLING_PAGE);
        registry.addViewController(BILLING_PAGE).setViewName("forward:/billing.html");
        registry.addViewController(BILLING_PAGE + "/").setViewName("forward:/billing.html");
        registry.addViewController("/login").setViewName("forward:/login.html");
    }

    /** Says where to go and how to log in once everything is up. */
    @Bean
    ApplicationListener<ApplicationReadyEvent> startupMessage(
            Environment environment, DemoDatabase database, ObjectProvider<FakeStripe> fakeStripe) {
        return event -> {
            String port = environment.getProperty("local.server.port", environment.getProperty("server.port", "8080"));
            String stripe = Optional.ofNullable(fakeStripe.getIfAvailable())
                    .map(
                            fake -> "demo mode, embedded FakeStripe at " + fake.apiBase()
                                    + "\n    test cards: 4242 4242 4242 4242 pays, 4000 0000 0000 0002 is declined, 4000 0000 0000 9995 has insufficient funds")
                    .orElseGet(() -> "Stripe test keys from STRIPE_SECRET_KEY / STRIPE_PUBLIC_KEY"
                            + Optional.ofNullable(environment.getProperty("billing.stripe.api-base"))
                                    .filter(s -> !s.isBlank())
                                    .map(base -> " at " + base)
                                    .orElse(""));
            LOG.info("""

                    ──────────────────────────────────────────────────────────────────────
                      Token Billing demo: http://localhost:{}{}
                      Log in as alice / alice or bob / bob (form login, or curl -u alice:alice)
                      Stripe:   {}
                      Database: {}
                    ──────────────────────────────────────────────────────────────────────""", port, BILLING_PAGE, stripe, database.description());
        };
    }
}
