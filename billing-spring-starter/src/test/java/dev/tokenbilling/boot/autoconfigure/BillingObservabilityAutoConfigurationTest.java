package dev.tokenbilling.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tokenbilling.TokenBilling;
import dev.tokenbilling.boot.health.BillingHealthIndicator;
import dev.tokenbilling.boot.metrics.BillingMetrics;
import dev.tokenbilling.boot.metrics.MicrometerBillingMetrics;
import dev.tokenbilling.boot.support.TestDatabase;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The health indicator and metrics: on when their libraries (and a registry) are there, off otherwise. */
class BillingObservabilityAutoConfigurationTest {

    private static final String SCHEMA = TestDatabase.newSchema(BillingObservabilityAutoConfigurationTest.class);

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(BillingAutoConfiguration.class, BillingHealthAutoConfiguration.class,
                    BillingMetricsAutoConfiguration.class))
            .withBean(DataSource.class, TestDatabase::dataSource)
            .withPropertyValues("billing.schema=" + SCHEMA);

    @Test
    void shouldContributeABillingHealthIndicator() {
        runner.run(context -> {
            assertThat(context).hasNotFailed().hasBean("billingHealthIndicator");
            Health health = context.getBean(BillingHealthIndicator.class).health();
            assertThat(health.getStatus()).isEqualTo(Status.UP);
            assertThat(health.getDetails())
                    .containsEntry("database", "reachable")
                    .containsEntry("stripe", "not configured")
                    .containsEntry("stuckPurchases", 0)
                    .containsEntry("failedWebhookEvents", 0)
                    .containsEntry("stuckAfter", "PT15M");
        });
    }

    @Test
    void shouldNotContributeHealthWhenTurnedOff() {
        runner.withPropertyValues("management.health.billing.enabled=false")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(BillingHealthIndicator.class));
    }

    @Test
    void shouldNotContributeHealthWithoutSpringBootHealth() {
        runner.withClassLoader(new FilteredClassLoader(HealthIndicator.class))
                .run(context -> assertThat(context).hasNotFailed().hasSingleBean(TokenBilling.class)
                        .doesNotHaveBean("billingHealthIndicator"));
    }

    @Test
    void shouldReportDownWhenTheDatabaseIsUnreachable() {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:postgresql://127.0.0.1:1/nothing?connectTimeout=1");
        config.setConnectionTimeout(500);
        config.setInitializationFailTimeout(-1);
        try (HikariDataSource unreachable = new HikariDataSource(config)) {
            new ApplicationContextRunner()
                    .withConfiguration(AutoConfigurations.of(BillingAutoConfiguration.class, BillingHealthAutoConfiguration.class))
                    .withBean(DataSource.class, () -> unreachable)
                    .withPropertyValues("billing.migrate=false")
                    .run(context -> {
                        Health health = context.getBean(BillingHealthIndicator.class).health();
                        assertThat(health.getStatus()).isEqualTo(Status.DOWN);
                        assertThat(health.getDetails()).containsEntry("database", "unreachable");
                    });
        }
    }

    @Test
    void shouldRecordMetricsInTheApplicationsMeterRegistry() {
        runner.withBean(MeterRegistry.class, SimpleMeterRegistry::new).run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(BillingMetrics.class)).isInstanceOf(MicrometerBillingMetrics.class);
        });
    }

    @Test
    void shouldRecordNoMetricsWithoutAMeterRegistry() {
        runner.run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(BillingMetrics.class));
    }

    @Test
    void shouldRecordNoMetricsWithoutMicrometer() {
        runner.withClassLoader(new FilteredClassLoader("io.micrometer."))
                .run(context -> assertThat(context).hasNotFailed().hasSingleBean(TokenBilling.class)
                        .doesNotHaveBean(BillingMetrics.class));
    }

    @Test
    void shouldUseTheApplicationsOwnMetrics() {
        BillingMetrics own = new BillingMetrics() {
        };
        runner.withBean(MeterRegistry.class, SimpleMeterRegistry::new).withBean(BillingMetrics.class, () -> own)
                .run(context -> assertThat(context.getBean(BillingMetrics.class)).isSameAs(own));
    }
}
