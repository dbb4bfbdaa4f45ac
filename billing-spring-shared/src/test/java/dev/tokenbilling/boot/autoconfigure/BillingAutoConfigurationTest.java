package dev.tokenbilling.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenbilling.TokenBilling;
import dev.tokenbilling.boot.reconcile.ReconcilerScheduler;
import dev.tokenbilling.boot.reconcile.ReconcilerScheduler.Job;
import dev.tokenbilling.boot.support.SeedCatalog;
import dev.tokenbilling.error.BillingError;
import dev.tokenbilling.error.BillingException;
import dev.tokenbilling.hook.EventHandler;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.service.TokenBillingService;
import dev.tokenbilling.stripe.StripeApi;
import dev.tokenbilling.stripe.WebhookVerification;
import dev.tokenbilling.support.TestDatabase;
import dev.tokenbilling.testkit.stripe.FakeStripe;
import dev.tokenbilling.testkit.stripe.StripeWebhookSigner;
import dev.tokenbilling.webhook.WebhookOutcome;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.MapPropertySource;

class BillingAutoConfigurationTest {

    private static final String SCHEMA = TestDatabase.newSchema(BillingAutoConfigurationTest.class);

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(BillingAutoConfiguration.class))
            .withBean(DataSource.class, TestDatabase::dataSource)
            .withPropertyValues("billing.schema=" + SCHEMA);

    @Test
    void shouldBuildTokenBillingOnTheApplicationsDataSourceAndMigrateIt() {
        runner.run(context -> {
            assertThat(context)
                    .hasNotFailed()
                    .hasSingleBean(TokenBilling.class)
                    .hasSingleBean(TokenBillingService.class)
                    .hasSingleBean(BillingProperties.class)
                    .hasSingleBean(ReconcilerScheduler.class)
                    .doesNotHaveBean(StripeApi.class)
                    .doesNotHaveBean(WebhookVerification.class);
            assertThat(context.getBean(TokenBillingService.class))
                    .isSameAs(context.getBean(TokenBilling.class).service());
            assertThat(tables(SCHEMA)).contains("billing_schema_history");
            assertThat(context.getBean(TokenBillingService.class).catalog().packages())
                    .isEmpty();
        });
    }

    @Test
    void shouldBackOffWhenDisabled() {
        runner.withPropertyValues("billing.enabled=false")
                .run(context -> assertThat(context)
                        .hasNotFailed()
                        .doesNotHaveBean(TokenBilling.class)
                        .doesNotHaveBean(BillingProperties.class)
                        .doesNotHaveBean(ReconcilerScheduler.class));
    }

    @Test
    void shouldBackOffWithoutADataSource() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(BillingAutoConfiguration.class))
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(TokenBilling.class));
    }

    @Test
    void shouldUseTheApplicationsOwnTokenBilling() {
        TokenBilling own = TokenBilling.builder()
                .dataSource(TestDatabase.dataSource())
                .schema(SCHEMA)
                .build();
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(BillingAutoConfiguration.class))
                .withBean(TokenBilling.class, () -> own)
                .run(context -> {
                    assertThat(context).hasNotFailed().hasSingleBean(TokenBilling.class);
                    assertThat(context.getBean(TokenBilling.class)).isSameAs(own);
                    assertThat(context.getBean(TokenBillingService.class)).isSameAs(own.service());
                });
    }

    @Test
    void shouldUseTheApplicationsOwnBeansInsteadOfItsOwn() {
        TokenBilling own = TokenBilling.builder()
                .dataSource(TestDatabase.dataSource())
                .schema(SCHEMA)
                .build();
        runner.withBean("myService", TokenBillingService.class, own::service)
                .withPropertyValues("billing.stripe.secret-key=sk_test_abc", "billing.stripe.webhook-secret=whsec_abc")
                .withBean(
                        "myStripe",
                        StripeApi.class,
                        () -> StripeApi.builder().secretKey("sk_test_mine").build())
                .withBean(
                        "myWebhooks",
                        WebhookVerification.class,
                        () -> WebhookVerification.builder().secret("whsec_mine").build())
                .run(context -> {
                    assertThat(context)
                            .hasNotFailed()
                            .hasSingleBean(TokenBillingService.class)
                            .hasSingleBean(StripeApi.class)
                            .hasSingleBean(WebhookVerification.class);
                    assertThat(context.getBean(TokenBillingService.class)).isSameAs(own.service());
                    assertThat(context.getBean(StripeApi.class).secretKey()).isEqualTo("sk_test_mine");
                    assertThat(context.getBean(WebhookVerification.class).secrets())
                            .containsExactly("whsec_mine");
                });
    }

    @Test
    void shouldApplyCustomizersInOrder() {
        Clock fixed = Clock.fixed(Instant.parse("2030-01-02T03:04:05Z"), ZoneOffset.UTC);
        List<String> calls = new ArrayList<>();
        runner.withPropertyValues("billing.stripe.secret-key=sk_test_abc", "billing.stripe.webhook-secret=whsec_abc")
                .withBean("second", BillingCustomizer.class, () -> new SecondCustomizer(calls, fixed))
                .withBean("first", BillingCustomizer.class, () -> new FirstCustomizer(calls))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean(TokenBilling.class).clock()).isSameAs(fixed);
                    assertThat(context.getBean(StripeApi.class).maxNetworkRetries())
                            .isEqualTo(7);
                    assertThat(context.getBean(WebhookVerification.class).tolerance())
                            .isEqualTo(Duration.ofSeconds(20));
                    assertThat(calls)
                            .containsExactly(
                                    "first stripe",
                                    "second stripe",
                                    "first webhooks",
                                    "second webhooks",
                                    "first",
                                    "second");
                });
    }

    @Test
    void shouldOfferOneLineCustomizers() {
        Clock fixed = Clock.fixed(Instant.parse("2031-01-01T00:00:00Z"), ZoneOffset.UTC);
        runner.withPropertyValues("billing.stripe.secret-key=sk_test_abc")
                .withBean("clock", BillingCustomizer.class, () -> BillingCustomizer.of(builder -> builder.clock(fixed)))
                .withBean(
                        "fake",
                        BillingCustomizer.class,
                        () -> BillingCustomizer.stripe(stripe -> stripe.apiBase(URI.create("http://127.0.0.1:9"))))
                .withBean(
                        "tolerance",
                        BillingCustomizer.class,
                        () -> BillingCustomizer.webhooks(webhooks -> webhooks.tolerance(Duration.ofSeconds(42))))
                .run(context -> {
                    assertThat(context.getBean(TokenBilling.class).clock()).isSameAs(fixed);
                    assertThat(context.getBean(StripeApi.class).apiBase()).contains(URI.create("http://127.0.0.1:9"));
                    assertThat(context.getBean(WebhookVerification.class).tolerance())
                            .isEqualTo(Duration.ofSeconds(42));
                });
    }

    @Test
    void shouldLeaveTheSchemaAloneWhenMigrationIsOff() throws SQLException {
        String schema = TestDatabase.newSchema(BillingAutoConfigurationTest.class);
        runner.withPropertyValues("billing.schema=" + schema, "billing.migrate=false")
                .run(context -> assertThat(context).hasNotFailed().hasSingleBean(TokenBilling.class));
        assertThat(tables(schema)).isEmpty();
    }

    @Test
    void shouldConfigureStripeFromProperties() {
        runner.withPropertyValues(
                        "billing.stripe.secret-key=sk_test_123456789",
                        "billing.stripe.publishable-key= pk_test_987654321 ",
                        "billing.stripe.webhook-secret=whsec_one, whsec_two",
                        "billing.stripe.webhook-secrets[0]=whsec_three",
                        "billing.stripe.api-base=http://127.0.0.1:12111",
                        "billing.stripe.connect-timeout=2s",
                        "billing.stripe.read-timeout=3s",
                        "billing.stripe.max-network-retries=0",
                        "billing.stripe.webhook-tolerance=1m",
                        "billing.stripe.max-webhook-payload-size=64KB")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    StripeApi stripe = context.getBean(StripeApi.class);
                    assertThat(stripe.secretKey()).isEqualTo("sk_test_123456789");
                    assertThat(stripe.publishableKey()).contains("pk_test_987654321");
                    assertThat(stripe.apiBase()).contains(URI.create("http://127.0.0.1:12111"));
                    assertThat(stripe.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
                    assertThat(stripe.readTimeout()).isEqualTo(Duration.ofSeconds(3));
                    assertThat(stripe.maxNetworkRetries()).isZero();
                    WebhookVerification webhooks = context.getBean(WebhookVerification.class);
                    assertThat(webhooks.secrets()).containsExactly("whsec_one", "whsec_two", "whsec_three");
                    assertThat(webhooks.tolerance()).isEqualTo(Duration.ofMinutes(1));
                    assertThat(webhooks.maxPayloadBytes()).isEqualTo(64 * 1024);
                    assertThat(context.getBean(TokenBilling.class).paymentsConfigured())
                            .isTrue();
                });
    }

    @Test
    void shouldReadTheStripeEnvironmentVariables() {
        runner.withInitializer(context -> {
                    context.getEnvironment()
                            .getPropertySources()
                            .addFirst(new MapPropertySource(
                                    "fakeEnvironment",
                                    Map.of(
                                            "STRIPE_SECRET_KEY", "sk_test_fromenv",
                                            "STRIPE_WEBHOOK_SECRET", "whsec_fromenv",
                                            "STRIPE_PUBLIC_KEY", "pk_test_fromenv")));
                    new BillingEnvironmentPostProcessor().postProcessEnvironment(context.getEnvironment(), null);
                })
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean(StripeApi.class).secretKey()).isEqualTo("sk_test_fromenv");
                    assertThat(context.getBean(WebhookVerification.class).secrets())
                            .containsExactly("whsec_fromenv");
                    assertThat(context.getBean(BillingProperties.class)
                                    .getStripe()
                                    .getPublishableKey())
                            .isEqualTo("pk_test_fromenv");
                    assertThat(context.getBean(StripeApi.class).publishableKey())
                            .contains("pk_test_fromenv");
                });
    }

    @Test
    void shouldPreferBillingPropertiesOverTheStripeEnvironmentVariables() {
        runner.withPropertyValues("billing.stripe.secret-key=sk_test_fromproperties")
                .withInitializer(context -> {
                    context.getEnvironment()
                            .getPropertySources()
                            .addLast(new MapPropertySource(
                                    "fakeEnvironment",
                                    Map.of(
                                            "STRIPE_SECRET_KEY",
                                            "sk_test_fromenv",
                                            "STRIPE_WEBHOOK_SECRET",
                                            "whsec_fromenv")));
                    new BillingEnvironmentPostProcessor().postProcessEnvironment(context.getEnvironment(), null);
                })
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean(StripeApi.class).secretKey()).isEqualTo("sk_test_fromproperties");
                    assertThat(context.getBean(WebhookVerification.class).secrets())
                            .containsExactly("whsec_fromenv");
                });
    }

    @Test
    void shouldTreatABlankSecretKeyAsStripeNotConfigured() {
        runner.withPropertyValues("billing.stripe.secret-key=  ", "billing.stripe.webhook-secret=")
                .run(context -> {
                    assertThat(context)
                            .hasNotFailed()
                            .doesNotHaveBean(StripeApi.class)
                            .doesNotHaveBean(WebhookVerification.class);
                    assertThat(context.getBean(TokenBilling.class).paymentsConfigured())
                            .isFalse();
                    assertThat(context.getBean(TokenBilling.class).paymentGateway())
                            .isEmpty();
                });
    }

    @Test
    void shouldFailFastOnALiveKeyInTestModeOnly() {
        runner.withPropertyValues(
                        "billing.stripe.secret-key=sk_live_0123456789abcdef",
                        "billing.stripe.webhook-secret=whsec_abc",
                        "billing.stripe.test-mode-only=true")
                .run(context -> {
                    assertThat(context).hasFailed();
                    BillingConfigurationException failure = rootCause(context.getStartupFailure());
                    assertThat(failure.getMessage())
                            .contains("billing.stripe.secret-key is a LIVE key", "test-mode-only=true", "sk_live_…cdef")
                            .doesNotContain("0123456789");
                    FailureAnalysis analysis =
                            new BillingConfigurationFailureAnalyzer().analyze(context.getStartupFailure());
                    assertThat(analysis.getDescription()).startsWith("Token Billing is misconfigured: ");
                    assertThat(analysis.getAction()).contains("sk_test_", "billing.stripe.test-mode-only=false");
                });
    }

    @Test
    void shouldFailFastOnALivePublishableKeyInTestModeOnly() {
        runner.withPropertyValues(
                        "billing.stripe.secret-key=sk_test_abc",
                        "billing.stripe.publishable-key=pk_live_0123456789abcdef",
                        "billing.stripe.test-mode-only=true")
                .run(context -> assertThat(
                                rootCause(context.getStartupFailure()).getMessage())
                        .contains("billing.stripe.publishable-key is a LIVE key"));
    }

    @Test
    void shouldAllowLiveKeysWhenTestModeOnlyIsOff() {
        runner.withPropertyValues(
                        "billing.stripe.secret-key=sk_live_0123456789abcdef",
                        "billing.stripe.publishable-key=pk_live_abc")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBean(StripeApi.class).liveMode()).isTrue();
                });
    }

    @Test
    void shouldFailFastOnKeysOfDifferentModes() {
        runner.withPropertyValues("billing.stripe.secret-key=sk_test_abc", "billing.stripe.publishable-key=pk_live_abc")
                .run(context -> assertThat(
                                rootCause(context.getStartupFailure()).getMessage())
                        .contains("belong to different modes"));
    }

    @Test
    void shouldFailFastOnAPublishableKeyGivenAsSecretKey() {
        runner.withPropertyValues("billing.stripe.secret-key=pk_test_abc")
                .run(context -> assertThat(
                                rootCause(context.getStartupFailure()).getMessage())
                        .contains("billing.stripe.secret-key is not a secret key"));
    }

    @Test
    void shouldFailFastOnAnApiKeyGivenAsWebhookSecret() {
        runner.withPropertyValues(
                        "billing.stripe.secret-key=sk_test_abc",
                        "billing.stripe.webhook-secret=whsec_ok, sk_test_0123456789abcdef")
                .run(context -> {
                    BillingConfigurationException failure = rootCause(context.getStartupFailure());
                    assertThat(failure.getMessage())
                            .contains("billing.stripe.webhook-secret is not a webhook signing secret", "sk_test_…cdef")
                            .doesNotContain("0123456789");
                    assertThat(failure.action()).contains("whsec_", "billing.stripe.secret-key");
                });
    }

    @Test
    void shouldNameThePropertyWhenBillingCoreRefusesASetting() {
        runner.withPropertyValues(
                        "billing.stripe.secret-key=sk_live_0123456789abcdef",
                        "billing.stripe.api-base=http://127.0.0.1:9")
                .run(context -> assertThat(
                                rootCause(context.getStartupFailure()).getMessage())
                        .startsWith("invalid Stripe settings: billing.stripe.api-base: must be https for a live key")
                        .doesNotContain("0123456789"));
        runner.withPropertyValues(
                        "billing.stripe.secret-key=sk_test_abc",
                        "billing.stripe.webhook-secret=whsec_abc",
                        "billing.stripe.webhook-tolerance=0s")
                .run(
                        context -> assertThat(
                                        rootCause(context.getStartupFailure()).getMessage())
                                .startsWith(
                                        "invalid webhook settings: billing.stripe.webhook-tolerance: must be at least 1 second"));
        runner.withPropertyValues("billing.max-open-purchases-per-user=0")
                .run(context -> assertThat(
                                rootCause(context.getStartupFailure()).getMessage())
                        .startsWith("billing.max-open-purchases-per-user: must be at least 1"));
        // The test database is plain PostgreSQL: the Citus topology is refused before any change.
        runner.withPropertyValues(
                        "billing.schema=" + TestDatabase.newSchema(BillingAutoConfigurationTest.class),
                        "billing.database.topology=citus")
                .run(context -> assertThat(
                                rootCause(context.getStartupFailure()).getMessage())
                        .contains("citus extension is not installed"));
    }

    @Test
    void shouldLimitTheOpenPurchasesOfOneUser() {
        try (FakeStripe fake = FakeStripe.start()) {
            runner.withPropertyValues(
                            "billing.schema=" + TestDatabase.newSchema(BillingAutoConfigurationTest.class),
                            "billing.stripe.secret-key=" + fake.secretKey(),
                            "billing.stripe.api-base=" + fake.apiBase(),
                            "billing.max-open-purchases-per-user=2",
                            "billing.reconciler.enabled=false",
                            "billing.expiry.enabled=false")
                    .run(context -> {
                        assertThat(context.getBean(BillingProperties.class).getMaxOpenPurchasesPerUser())
                                .isEqualTo(2);
                        TokenBillingService service = context.getBean(TokenBillingService.class);
                        SeedCatalog.seed(service);
                        UserId user = UserId.of("limited-user");
                        service.purchases().start(user, "starter-100k");
                        long second =
                                service.purchases().start(user, "booster-500k").purchaseId();

                        BillingException refused = catchThrowableOfType(
                                BillingException.class,
                                () -> service.purchases().start(user, "power-1m"));

                        assertThat(refused.code()).isEqualTo(BillingError.TOO_MANY_OPEN_PURCHASES);
                        service.purchases().cancel(user, second);
                        assertThat(service.purchases().start(user, "power-1m").purchaseId())
                                .isPositive();
                    });
        }
        assertThat(new BillingProperties().getMaxOpenPurchasesPerUser())
                .as("billing-core's default")
                .isEqualTo(TokenBilling.DEFAULT_MAX_OPEN_PURCHASES_PER_USER);
    }

    @Test
    void shouldRegisterTheApplicationsEventHandlers() {
        List<String> handled = new ArrayList<>();
        EventHandler handler = new EventHandler() {
            @Override
            public Set<String> eventTypes() {
                return Set.of("invoice.*");
            }

            @Override
            public void handle(String eventId, String eventType, JsonNode dataObject) {
                handled.add(
                        eventId + " " + eventType + " " + dataObject.path("id").asText());
            }
        };
        runner.withPropertyValues(
                        "billing.stripe.secret-key=sk_test_abc", "billing.stripe.webhook-secret=whsec_handlers")
                .withBean(EventHandler.class, () -> handler)
                .run(context -> {
                    String event =
                            "{\"id\":\"evt_handler_1\",\"object\":\"event\",\"type\":\"invoice.paid\",\"livemode\":false,"
                                    + "\"data\":{\"object\":{\"id\":\"in_1\",\"object\":\"invoice\"}}}";
                    WebhookOutcome outcome = context.getBean(TokenBilling.class)
                            .webhooks()
                            .handle(
                                    event.getBytes(StandardCharsets.UTF_8),
                                    StripeWebhookSigner.header(event, "whsec_handlers"));
                    assertThat(outcome.status()).isEqualTo(WebhookOutcome.Status.PROCESSED);
                    assertThat(handled).containsExactly("evt_handler_1 invoice.paid in_1");
                });
    }

    @Test
    void shouldNotScheduleAnythingWhenEveryJobIsDisabled() {
        runner.withPropertyValues(
                        "billing.stripe.secret-key=sk_test_abc",
                        "billing.reconciler.enabled=false",
                        "billing.expiry.enabled=false",
                        "billing.events.enabled=false",
                        "billing.recharge.enabled=false")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(ReconcilerScheduler.class));
        runner.withPropertyValues("billing.stripe.secret-key=sk_test_abc", "billing.reconciler.enabled=false")
                .run(context -> assertThat(
                                context.getBean(ReconcilerScheduler.class).jobs())
                        .containsExactly(Job.EXPIRY, Job.EVENTS, Job.RECHARGE));
        runner.withPropertyValues(
                        "billing.stripe.secret-key=sk_test_abc",
                        "billing.expiry.enabled=false",
                        "billing.events.enabled=false",
                        "billing.recharge.enabled=false")
                .run(context -> assertThat(
                                context.getBean(ReconcilerScheduler.class).jobs())
                        .containsExactly(Job.RECONCILE));
        runner.withPropertyValues(
                        "billing.reconciler.enabled=false",
                        "billing.expiry.enabled=false",
                        "billing.recharge.enabled=false")
                .run(context -> assertThat(
                                context.getBean(ReconcilerScheduler.class).jobs())
                        .containsExactly(Job.EVENTS));
    }

    @Test
    void shouldStartTheReconcilerAndAutoRechargeOnlyWhenStripeIsConfiguredButExpiryAndEventsAlways() {
        runner.run(context -> {
            ReconcilerScheduler scheduler = context.getBean(ReconcilerScheduler.class);
            assertThat(scheduler.isRunning()).isTrue();
            assertThat(scheduler.jobs()).containsExactly(Job.EXPIRY, Job.EVENTS);
        });
        runner.withPropertyValues("billing.stripe.secret-key=sk_test_abc", "billing.reconciler.initial-delay=1h")
                .run(context -> assertThat(
                                context.getBean(ReconcilerScheduler.class).jobs())
                        .containsExactly(Job.RECONCILE, Job.EXPIRY, Job.EVENTS, Job.RECHARGE));
        runner.withPropertyValues(
                        "billing.stripe.secret-key=sk_test_abc",
                        "billing.reconciler.initial-delay=1h",
                        "billing.reconciler.fetch-missed-events=true")
                .run(context -> assertThat(
                                context.getBean(ReconcilerScheduler.class).jobs())
                        .containsExactly(Job.RECONCILE, Job.FETCH_MISSED_EVENTS, Job.EXPIRY, Job.EVENTS, Job.RECHARGE));
        runner.withPropertyValues("billing.reconciler.fetch-missed-events=true")
                .run(context -> assertThat(
                                context.getBean(ReconcilerScheduler.class).jobs())
                        .as("no Stripe, no fetch")
                        .containsExactly(Job.EXPIRY, Job.EVENTS));
    }

    @Test
    void shouldStopTheScheduledJobsWithTheContext() {
        ReconcilerScheduler[] scheduler = new ReconcilerScheduler[1];
        runner.withPropertyValues("billing.stripe.secret-key=sk_test_abc", "billing.reconciler.initial-delay=1h")
                .run(context -> scheduler[0] = context.getBean(ReconcilerScheduler.class));
        assertThat(scheduler[0].isRunning()).isFalse();
        assertThat(scheduler[0].jobs()).isEmpty();
    }

    @Test
    void shouldRefuseInvalidScheduleSettings() {
        runner.withPropertyValues("billing.expiry.interval=0s")
                .run(context -> assertThat(
                                rootCause(context.getStartupFailure()).getMessage())
                        .contains("billing.expiry.interval must be positive"));
        runner.withPropertyValues("billing.expiry.batch-size=0")
                .run(context -> assertThat(
                                rootCause(context.getStartupFailure()).getMessage())
                        .contains("billing.expiry.batch-size"));
        runner.withPropertyValues("billing.events.delivery-interval=0s")
                .run(context -> assertThat(
                                rootCause(context.getStartupFailure()).getMessage())
                        .contains("billing.events.delivery-interval must be positive"));
        runner.withPropertyValues("billing.recharge.batch-size=1001")
                .run(context -> assertThat(
                                rootCause(context.getStartupFailure()).getMessage())
                        .contains("billing.recharge.batch-size must be between 1 and 1000"));
        runner.withPropertyValues(
                        "billing.stripe.secret-key=sk_test_abc",
                        "billing.reconciler.fetch-missed-events=true",
                        "billing.reconciler.missed-events-lookback=31d")
                .run(context -> assertThat(
                                rootCause(context.getStartupFailure()).getMessage())
                        .contains("billing.reconciler.missed-events-lookback must be at most 30 days"));
        runner.withPropertyValues(
                        "billing.expiry.enabled=false",
                        "billing.expiry.interval=0s",
                        "billing.reconciler.missed-events-lookback=31d")
                .run(context -> assertThat(context)
                        .as("settings of jobs that are off are not checked")
                        .hasNotFailed());
    }

    @Test
    void shouldRefuseAnInvalidSchemaName() {
        runner.withPropertyValues("billing.schema=no such schema; drop table x")
                .run(context -> assertThat(
                                rootCause(context.getStartupFailure()).getMessage())
                        .contains("schema"));
    }

    static BillingConfigurationException rootCause(Throwable failure) {
        assertThat(failure).isNotNull();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof BillingConfigurationException billing) {
                return billing;
            }
        }
        throw new AssertionError("no BillingConfigurationException in " + failure, failure);
    }

    private static List<String> tables(String schema) throws SQLException {
        List<String> tables = new ArrayList<>();
        try (Connection connection = TestDatabase.dataSource().getConnection();
                ResultSet rows = connection.getMetaData().getTables(null, schema, "%", new String[] {"TABLE"})) {
            while (rows.next()) {
                tables.add(rows.getString("TABLE_NAME"));
            }
        }
        return tables;
    }

    @Order(1)
    record FirstCustomizer(List<String> calls) implements BillingCustomizer {
        @Override
        public void customize(TokenBilling.Builder builder) {
            calls.add("first");
        }

        @Override
        public void customizeStripe(StripeApi.Builder stripe) {
            calls.add("first stripe");
            stripe.maxNetworkRetries(3);
        }

        @Override
        public void customizeWebhooks(WebhookVerification.Builder webhooks) {
            calls.add("first webhooks");
            webhooks.tolerance(Duration.ofSeconds(10));
        }
    }

    @Order(2)
    record SecondCustomizer(List<String> calls, Clock clock) implements BillingCustomizer {
        @Override
        public void customize(TokenBilling.Builder builder) {
            calls.add("second");
            builder.clock(clock);
        }

        @Override
        public void customizeStripe(StripeApi.Builder stripe) {
            calls.add("second stripe");
            stripe.maxNetworkRetries(7);
        }

        @Override
        public void customizeWebhooks(WebhookVerification.Builder webhooks) {
            calls.add("second webhooks");
            webhooks.tolerance(Duration.ofSeconds(20));
        }
    }
}
