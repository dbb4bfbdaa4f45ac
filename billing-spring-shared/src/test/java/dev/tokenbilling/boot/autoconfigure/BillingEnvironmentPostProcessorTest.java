package dev.tokenbilling.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenbilling.stripe.StripeApi;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

class BillingEnvironmentPostProcessorTest {

    private final StandardEnvironment environment = new StandardEnvironment();

    @Test
    void shouldMapTheStripeEnvironmentNames() {
        environment
                .getPropertySources()
                .addFirst(new MapPropertySource(
                        "env",
                        Map.of(
                                "STRIPE_SECRET_KEY",
                                "sk_test_1",
                                "STRIPE_WEBHOOK_SECRET",
                                "whsec_1,whsec_2",
                                "STRIPE_PUBLIC_KEY",
                                "pk_test_1")));

        new BillingEnvironmentPostProcessor().postProcessEnvironment(environment, null);

        assertThat(environment.getProperty("billing.stripe.secret-key")).isEqualTo("sk_test_1");
        assertThat(environment.getProperty("billing.stripe.webhook-secret")).isEqualTo("whsec_1,whsec_2");
        assertThat(environment.getProperty("billing.stripe.publishable-key")).isEqualTo("pk_test_1");
    }

    @Test
    void shouldAcceptStripePublishableKeyAsTheOtherName() {
        environment
                .getPropertySources()
                .addFirst(new MapPropertySource("env", Map.of("STRIPE_PUBLISHABLE_KEY", "pk_test_2")));

        new BillingEnvironmentPostProcessor().postProcessEnvironment(environment, null);

        assertThat(environment.getProperty("billing.stripe.publishable-key")).isEqualTo("pk_test_2");
    }

    @Test
    void shouldAcceptTheFrontendsViteNameLikeTheCore() {
        environment
                .getPropertySources()
                .addFirst(new MapPropertySource("env", Map.of("VITE_STRIPE_PUBLISHABLE_KEY", "pk_test_3")));

        new BillingEnvironmentPostProcessor().postProcessEnvironment(environment, null);

        assertThat(environment.getProperty("billing.stripe.publishable-key")).isEqualTo("pk_test_3");
        assertThat(StripeApi.fromEnvironment(
                                Map.of("STRIPE_SECRET_KEY", "sk_test_1", "VITE_STRIPE_PUBLISHABLE_KEY", "pk_test_3"))
                        .build()
                        .publishableKey())
                .as("the same name core reads")
                .contains("pk_test_3");
    }

    @Test
    void shouldPreferStripePublicKeyOverTheOtherNames() {
        environment
                .getPropertySources()
                .addFirst(new MapPropertySource(
                        "env",
                        Map.of(
                                "STRIPE_PUBLIC_KEY",
                                "pk_test_1",
                                "STRIPE_PUBLISHABLE_KEY",
                                "pk_test_2",
                                "VITE_STRIPE_PUBLISHABLE_KEY",
                                "pk_test_3")));

        new BillingEnvironmentPostProcessor().postProcessEnvironment(environment, null);

        assertThat(environment.getProperty("billing.stripe.publishable-key")).isEqualTo("pk_test_1");
    }

    @Test
    void shouldResolveToBlankWhenNothingIsSet() {
        new BillingEnvironmentPostProcessor().postProcessEnvironment(environment, null);

        assertThat(environment.getProperty("billing.stripe.secret-key")).isEmpty();
        assertThat(environment.getProperty("billing.stripe.publishable-key")).isEmpty();
    }

    @Test
    void shouldYieldToAnyOtherSourceAndAddItselfOnce() {
        environment
                .getPropertySources()
                .addFirst(new MapPropertySource("application", Map.of("billing.stripe.secret-key", "sk_test_app")));
        environment
                .getPropertySources()
                .addFirst(new MapPropertySource("env", Map.of("STRIPE_SECRET_KEY", "sk_test_env")));

        new BillingEnvironmentPostProcessor().postProcessEnvironment(environment, null);
        new BillingEnvironmentPostProcessor().postProcessEnvironment(environment, null);

        assertThat(environment.getProperty("billing.stripe.secret-key")).isEqualTo("sk_test_app");
        assertThat(environment.getPropertySources().stream()
                        .filter(source ->
                                source.getName().equals(BillingEnvironmentPostProcessor.PROPERTY_SOURCE_NAME)))
                .hasSize(1);
    }
}
