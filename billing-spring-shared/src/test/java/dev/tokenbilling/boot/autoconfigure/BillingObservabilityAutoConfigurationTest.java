package dev.tokenbilling.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tokenbilling.TokenBilling;
import dev.tokenbilling.boot.health.BillingHealthIndicator;
import dev.tokenbilling.boot.metrics.BillingMetrics;
import dev.tokenbilling.boot.metrics.MicrometerBillingMetrics;
import dev.tokenbilling.boot.support.BootClasses;
import dev.tokenbilling.boot.support.MutableClock;
import dev.tokenbilling.boot.support.SeedCatalog;
import dev.tokenbilling.hook.BillingListener;
import dev.tokenbilling.hook.EventHandler;
import dev.tokenbilling.model.Adjustment;
import dev.tokenbilling.model.Debit;
import dev.tokenbilling.model.Grant;
import dev.tokenbilling.model.IdempotencyKey;
import dev.tokenbilling.model.LedgerEntry;
import dev.tokenbilling.model.Reservation;
import dev.tokenbilling.model.ReservationRequest;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.service.TokenBillingService;
import dev.tokenbilling.support.TestDatabase;
import dev.tokenbilling.testkit.stripe.FakeStripe;
import dev.tokenbilling.testkit.stripe.StripeWebhookSigner;
import dev.tokenbilling.webhook.WebhookOutcome;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.endpoint.SanitizingFunction;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The health indicator, metrics and secret masking: on when their libraries (and a registry) are there, off otherwise. */
class BillingObservabilityAutoConfigurationTest {

    private static final String SCHEMA = TestDatabase.newSchema(BillingObservabilityAutoConfigurationTest.class);

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(
                    BillingAutoConfiguration.class,
                    BillingHealthAutoConfiguration.class,
                    BillingMetricsAutoConfiguration.class))
            .withBean(DataSource.class, TestDatabase::dataSource)
            .withPropertyValues("billing.schema=" + SCHEMA);

    @Test
    void shouldContributeABillingHealthIndicator() {
        runner.run(context -> {
            assertThat(context).hasNotFailed().hasBean("billingHealthIndicator");
            var health = context.getBean(BillingHealthIndicator.class).health();
            assertThat(health.getStatus().getCode()).isEqualTo("UP");
            assertThat(health.getDetails())
                    .containsEntry("database", "reachable")
                    .containsEntry("stripe", "not configured")
                    .containsEntry("stuckPurchases", 0L)
                    .containsEntry("failedWebhookEvents", 0L)
                    .containsEntry("stuckAfter", "PT15M")
                    .doesNotContainKey("countLimit");
        });
    }

    @Test
    void shouldCountStuckPurchasesAndFailedWebhookEvents() {
        MutableClock clock = MutableClock.startingNow();
        try (FakeStripe fake = FakeStripe.start()) {
            new ApplicationContextRunner()
                    .withConfiguration(
                            AutoConfigurations.of(BillingAutoConfiguration.class, BillingHealthAutoConfiguration.class))
                    .withBean(DataSource.class, TestDatabase::dataSource)
                    .withPropertyValues(
                            "billing.schema=" + TestDatabase.newSchema(BillingObservabilityAutoConfigurationTest.class),
                            "billing.stripe.secret-key=" + fake.secretKey(),
                            "billing.stripe.api-base=" + fake.apiBase(),
                            "billing.stripe.webhook-secret=whsec_health",
                            "billing.reconciler.initial-delay=1h",
                            "billing.expiry.enabled=false")
                    .withBean(
                            "clock",
                            BillingCustomizer.class,
                            () -> BillingCustomizer.of(builder -> builder.clock(clock)))
                    .withBean(EventHandler.class, FailingInvoiceHandler::new)
                    .run(context -> {
                        TokenBilling billing = context.getBean(TokenBilling.class);
                        SeedCatalog.seed(billing.service());
                        for (String id : List.of("evt_health_1", "evt_health_2")) {
                            String event = "{\"id\":\"" + id + "\",\"object\":\"event\",\"type\":\"invoice.paid\","
                                    + "\"data\":{\"object\":{\"id\":\"in_1\"}}}";
                            assertThat(billing.webhooks()
                                            .handle(
                                                    event.getBytes(StandardCharsets.UTF_8),
                                                    StripeWebhookSigner.header(event, "whsec_health"))
                                            .status())
                                    .isEqualTo(WebhookOutcome.Status.FAILED_RETRYABLE);
                        }
                        billing.service().purchases().start(UserId.of("alice"), "starter-100k");
                        billing.service().purchases().start(UserId.of("bob"), "booster-500k");
                        BillingHealthIndicator indicator = context.getBean(BillingHealthIndicator.class);
                        assertThat(indicator.health().getDetails())
                                .containsEntry("stuckPurchases", 0L)
                                .containsEntry("failedWebhookEvents", 2L);

                        clock.advance(Duration.ofMinutes(16));
                        var health = indicator.health();

                        assertThat(health.getStatus().getCode())
                                .as("they need an operator, not a restart")
                                .isEqualTo("UP");
                        assertThat(health.getDetails())
                                .containsEntry("stripe", "configured")
                                .containsEntry("stuckPurchases", 2L)
                                .containsEntry("failedWebhookEvents", 2L);
                    });
        }
    }

    @Test
    void shouldCountTokensThroughTheCoresListenerWhateverMovedThem() {
        List<String> heard = new CopyOnWriteArrayList<>();
        BillingListener own = new BillingListener() {
            @Override
            public void tokensDebited(LedgerEntry entry) {
                heard.add(entry.kind().wireName() + " " + entry.amount());
            }
        };
        runner.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                .withBean("ownListener", BillingListener.class, () -> own)
                .run(context -> {
                    TokenBillingService service = context.getBean(TokenBillingService.class);
                    MeterRegistry meters = context.getBean(MeterRegistry.class);
                    UserId user = UserId.of("metered-user");

                    service.ledger().grant(Grant.of(user, 10_000, IdempotencyKey.of("metrics-grant-1"), "welcome"));
                    service.ledger()
                            .debit(Debit.of(user, 1_250, IdempotencyKey.of("metrics-req-1"))
                                    .withDescription("chat completion"));
                    service.ledger()
                            .debit(Debit.of(user, 1_250, IdempotencyKey.of("metrics-req-1"))
                                    .withDescription("chat completion"));
                    service.ledger()
                            .debitAll(List.of(Debit.of(user, 500, IdempotencyKey.of("metrics-req-2"))
                                    .withDescription("embedding")));
                    Reservation hold = service.reservations()
                            .reserve(ReservationRequest.of(
                                            user, 4_000, Duration.ofMinutes(5), IdempotencyKey.of("metrics-hold-1"))
                                    .withDescription("streaming completion"));
                    service.reservations().settle(hold.userId(), hold.id(), 3_000);
                    service.ledger()
                            .adjust(Adjustment.of(
                                    user, -100, IdempotencyKey.of("metrics-adjust-1"), "support correction"));

                    assertThat(meters.get("billing.tokens.credited")
                                    .tag("kind", "grant")
                                    .counter()
                                    .count())
                            .isEqualTo(10_000);
                    assertThat(meters.get("billing.tokens.debited")
                                    .tag("kind", "usage")
                                    .counter()
                                    .count())
                            .as("consume once (the replay debits nothing), the batch and the settled hold")
                            .isEqualTo(1_250 + 500 + 3_000);
                    assertThat(meters.get("billing.tokens.debited")
                                    .tag("kind", "adjustment")
                                    .counter()
                                    .count())
                            .isEqualTo(100);
                    assertThat(heard)
                            .as("the application's own listener bean is registered too")
                            .containsExactly("usage -1250", "usage -500", "usage -3000", "adjustment -100");
                });
    }

    @Test
    void shouldNotContributeHealthWhenTurnedOff() {
        runner.withPropertyValues("management.health.billing.enabled=false")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(BillingHealthIndicator.class));
    }

    @Test
    void shouldNotContributeHealthWithoutSpringBootHealth() {
        runner.withClassLoader(new FilteredClassLoader(BootClasses.HEALTH_INDICATOR))
                .run(context -> assertThat(context)
                        .hasNotFailed()
                        .hasSingleBean(TokenBilling.class)
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
                    .withConfiguration(
                            AutoConfigurations.of(BillingAutoConfiguration.class, BillingHealthAutoConfiguration.class))
                    .withBean(DataSource.class, () -> unreachable)
                    .withPropertyValues("billing.migrate=false")
                    .run(context -> {
                        var health =
                                context.getBean(BillingHealthIndicator.class).health();
                        assertThat(health.getStatus().getCode()).isEqualTo("DOWN");
                        assertThat(health.getDetails())
                                .containsEntry("database", "unreachable")
                                .containsEntry("error", "database unreachable");
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
                .run(context -> assertThat(context)
                        .hasNotFailed()
                        .hasSingleBean(TokenBilling.class)
                        .doesNotHaveBean(BillingMetrics.class));
    }

    @Test
    void shouldUseTheApplicationsOwnMetrics() {
        BillingMetrics own = new BillingMetrics() {};
        runner.withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                .withBean(BillingMetrics.class, () -> own)
                .run(context ->
                        assertThat(context.getBean(BillingMetrics.class)).isSameAs(own));
    }

    @Test
    void shouldMaskTheStripeSecretsWithTheActuatorOnly() {
        ApplicationContextRunner actuator = new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(BillingActuatorAutoConfiguration.class));
        actuator.run(context -> assertThat(context)
                .hasNotFailed()
                .hasSingleBean(SanitizingFunction.class)
                .hasBean("billingSanitizingFunction"));
        actuator.withClassLoader(new FilteredClassLoader(SanitizingFunction.class))
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean("billingSanitizingFunction"));
    }

    /** A host handler that fails for now, so that its events are recorded as failed. */
    static final class FailingInvoiceHandler implements EventHandler {

        @Override
        public Set<String> eventTypes() {
            return Set.of("invoice.paid");
        }

        @Override
        public void handle(String eventId, String eventType, com.fasterxml.jackson.databind.JsonNode dataObject) {
            throw new IllegalStateException("invoice service is down");
        }
    }
}
