package dev.tokenbilling.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenbilling.support.TestDatabase;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/** What a real SpringApplication does with the starter's spring.factories entries. */
@ExtendWith(OutputCaptureExtension.class)
class StartupFailureTest {

    private static final String SCHEMA = TestDatabase.newSchema(StartupFailureTest.class);

    @Test
    void shouldExplainALiveKeyInTestModeOnlyAsAFailureAnalysis(CapturedOutput output) {
        assertThatThrownBy(() -> application()
                        .run(
                                "--billing.stripe.secret-key=sk_live_0123456789abcdef",
                                "--billing.stripe.test-mode-only=true")
                        .close())
                .hasStackTraceContaining("billing.stripe.secret-key is a LIVE key");
        assertThat(output)
                .contains(
                        "APPLICATION FAILED TO START",
                        "Token Billing is misconfigured: billing.stripe.secret-key is a LIVE key",
                        "Use Stripe test keys")
                .doesNotContain("0123456789abcdef");
    }

    @Test
    void shouldMapTheStripeEnvironmentNamesInARealApplication() {
        try (ConfigurableApplicationContext context = application().run()) {
            assertThat(context.getEnvironment()
                            .getPropertySources()
                            .contains(BillingEnvironmentPostProcessor.PROPERTY_SOURCE_NAME))
                    .isTrue();
        }
    }

    private static SpringApplicationBuilder application() {
        return new SpringApplicationBuilder(App.class)
                .web(WebApplicationType.NONE)
                .properties(
                        "billing.schema=" + SCHEMA, "billing.reconciler.enabled=false", "spring.main.banner-mode=off")
                .logStartupInfo(false)
                .registerShutdownHook(false);
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {

        @Bean
        DataSource dataSource() {
            return TestDatabase.dataSource();
        }
    }
}
