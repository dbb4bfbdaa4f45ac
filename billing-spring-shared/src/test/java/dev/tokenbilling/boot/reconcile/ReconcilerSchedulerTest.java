package dev.tokenbilling.boot.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tokenbilling.boot.autoconfigure.BillingAutoConfiguration;
import dev.tokenbilling.boot.autoconfigure.BillingCustomizer;
import dev.tokenbilling.boot.autoconfigure.BillingMetricsAutoConfiguration;
import dev.tokenbilling.boot.reconcile.ReconcilerScheduler.Job;
import dev.tokenbilling.boot.support.Browser;
import dev.tokenbilling.boot.support.MutableClock;
import dev.tokenbilling.boot.support.SeedCatalog;
import dev.tokenbilling.hook.BillingEventListener;
import dev.tokenbilling.model.BillingEvent;
import dev.tokenbilling.model.Debit;
import dev.tokenbilling.model.ExpiryReport;
import dev.tokenbilling.model.Grant;
import dev.tokenbilling.model.IdempotencyKey;
import dev.tokenbilling.model.LotTerms;
import dev.tokenbilling.model.PurchaseIntent;
import dev.tokenbilling.model.PurchaseStatus;
import dev.tokenbilling.model.RechargeSettings;
import dev.tokenbilling.model.RechargeStatus;
import dev.tokenbilling.model.Reservation;
import dev.tokenbilling.model.ReservationRequest;
import dev.tokenbilling.model.ReservationStatus;
import dev.tokenbilling.model.TokenBalance;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.reconcile.MissedEventsReport;
import dev.tokenbilling.service.TokenBillingService;
import dev.tokenbilling.support.TestDatabase;
import dev.tokenbilling.testkit.stripe.FakeStripe;
import dev.tokenbilling.webhook.WebhookOutcome;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The scheduled jobs on a real PostgreSQL: expiry (with a clock the test moves) and the fetch of missed Stripe events. */
class ReconcilerSchedulerTest {

    private final MutableClock clock = MutableClock.startingNow();

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(
                    AutoConfigurations.of(BillingAutoConfiguration.class, BillingMetricsAutoConfiguration.class))
            .withBean(DataSource.class, TestDatabase::dataSource)
            .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
            .withBean("clock", BillingCustomizer.class, () -> BillingCustomizer.of(builder -> builder.clock(clock)))
            .withPropertyValues("billing.schema=" + TestDatabase.newSchema(ReconcilerSchedulerTest.class));

    @Test
    void shouldReleaseLapsedHoldsAndExpireLapsedLotsWhenRunDirectly() {
        runner.withPropertyValues("billing.expiry.initial-delay=1h").run(context -> {
            TokenBillingService service = context.getBean(TokenBillingService.class);
            ReconcilerScheduler scheduler = context.getBean(ReconcilerScheduler.class);
            MeterRegistry meters = context.getBean(MeterRegistry.class);
            UserId user = UserId.of("direct-user");
            service.ledger()
                    .grant(Grant.of(user, 1_000, IdempotencyKey.of("direct-grant-1"), "trial")
                            .withTerms(LotTerms.expiringAt(clock.instant().plus(Duration.ofHours(1)))));
            service.ledger().grant(Grant.of(user, 400, IdempotencyKey.of("direct-grant-2"), "forever"));
            service.ledger()
                    .debit(Debit.of(user, 100, IdempotencyKey.of("direct-req-1"))
                            .withDescription("chat completion"));
            Reservation hold = service.reservations()
                    .reserve(ReservationRequest.of(user, 300, Duration.ofMinutes(1), IdempotencyKey.of("direct-req-2"))
                            .withDescription("streaming completion"));

            assertThat(scheduler.expireOnce()).as("nothing has lapsed yet").isEqualTo(new ExpiryReport(0, 0, 0));
            assertThat(service.reservations().get(hold.userId(), hold.id()).status())
                    .isEqualTo(ReservationStatus.ACTIVE);

            clock.advance(Duration.ofMinutes(2));
            assertThat(scheduler.expireOnce())
                    .as("the hold lapsed, the lot not yet")
                    .isEqualTo(new ExpiryReport(0, 0, 1));
            assertThat(service.reservations().get(hold.userId(), hold.id()).status())
                    .isEqualTo(ReservationStatus.EXPIRED);
            assertThat(service.ledger().balance(user).reserved()).isZero();
            assertThat(service.ledger().balance(user).available()).isEqualTo(1_300);

            clock.advance(Duration.ofHours(1));
            assertThat(scheduler.expireOnce()).isEqualTo(new ExpiryReport(1, 900, 0));
            TokenBalance balance = service.ledger().balance(user);
            assertThat(balance.balance()).isEqualTo(400);
            assertThat(balance.totalExpired()).isEqualTo(900);
            assertThat(service.ledger().lots(user))
                    .singleElement()
                    .satisfies(lot -> assertThat(lot.expiresAt()).isEmpty());

            assertThat(meters.get("billing.holds.expired").counter().count()).isEqualTo(1);
            assertThat(meters.get("billing.tokens.expired").counter().count()).isEqualTo(900);
            assertThat(meters.get("billing.lots.expired").counter().count()).isEqualTo(1);
            assertThat(meters.get("billing.expiry.runs").timer().count()).isEqualTo(3);
        });
    }

    @Test
    void shouldWorkThroughABacklogInFullBatches() {
        runner.withPropertyValues("billing.expiry.initial-delay=1h", "billing.expiry.batch-size=2")
                .run(context -> {
                    TokenBillingService service = context.getBean(TokenBillingService.class);
                    UserId user = UserId.of("backlog-user");
                    service.ledger().grant(Grant.of(user, 10_000, IdempotencyKey.of("backlog-grant"), "budget"));
                    for (int i = 0; i < 5; i++) {
                        service.reservations()
                                .reserve(ReservationRequest.of(
                                        user, 100, Duration.ofMinutes(1), IdempotencyKey.of("backlog-req-" + i)));
                    }
                    clock.advance(Duration.ofMinutes(5));

                    assertThat(context.getBean(ReconcilerScheduler.class)
                                    .expireOnce()
                                    .reservationsReleased())
                            .isEqualTo(5);
                    assertThat(service.reservations().active(user)).isEmpty();
                });
    }

    @Test
    void shouldRunExpiryOnItsScheduleWithoutStripe() {
        runner.withPropertyValues("billing.expiry.initial-delay=0s", "billing.expiry.interval=100ms")
                .run(context -> {
                    ReconcilerScheduler scheduler = context.getBean(ReconcilerScheduler.class);
                    assertThat(scheduler.jobs()).containsExactly(Job.EXPIRY, Job.EVENTS);
                    TokenBillingService service = context.getBean(TokenBillingService.class);
                    UserId user = UserId.of("scheduled-user");
                    service.ledger().grant(Grant.of(user, 1_000, IdempotencyKey.of("scheduled-grant"), "budget"));
                    Reservation hold = service.reservations()
                            .reserve(ReservationRequest.of(
                                            user, 600, Duration.ofMinutes(1), IdempotencyKey.of("scheduled-req-1"))
                                    .withDescription("completion"));
                    assertThat(service.ledger().balance(user).available()).isEqualTo(400);

                    clock.advance(Duration.ofMinutes(2));

                    Awaitility.await()
                            .atMost(Duration.ofSeconds(15))
                            .until(() -> service.reservations()
                                            .get(hold.userId(), hold.id())
                                            .status()
                                    == ReservationStatus.EXPIRED);
                    assertThat(service.ledger().balance(user).available()).isEqualTo(1_000);
                    Awaitility.await()
                            .atMost(Duration.ofSeconds(5))
                            .untilAsserted(() -> assertThat(context.getBean(MeterRegistry.class)
                                            .get("billing.holds.expired")
                                            .counter()
                                            .count())
                                    .isEqualTo(1));
                });
    }

    @Test
    void shouldKeepTheScheduleWhenARunFails() {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:postgresql://127.0.0.1:1/nothing?connectTimeout=1");
        config.setConnectionTimeout(250);
        config.setInitializationFailTimeout(-1);
        try (HikariDataSource unreachable = new HikariDataSource(config)) {
            new ApplicationContextRunner()
                    .withConfiguration(AutoConfigurations.of(
                            BillingAutoConfiguration.class, BillingMetricsAutoConfiguration.class))
                    .withBean(DataSource.class, () -> unreachable)
                    .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                    .withPropertyValues(
                            "billing.migrate=false", "billing.expiry.initial-delay=0s", "billing.expiry.interval=50ms")
                    .run(context -> {
                        MeterRegistry meters = context.getBean(MeterRegistry.class);
                        Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> {
                            var failures =
                                    meters.find("billing.expiry.failures").counter();
                            return failures != null && failures.count() >= 2;
                        });
                        assertThat(context.getBean(ReconcilerScheduler.class).isRunning())
                                .isTrue();
                    });
        }
    }

    @Test
    void shouldProcessStripeEventsThatNeverArrivedAsWebhooks() {
        try (FakeStripe fake = FakeStripe.start()) {
            runner.withPropertyValues(
                            "billing.stripe.secret-key=" + fake.secretKey(),
                            "billing.stripe.api-base=" + fake.apiBase(),
                            "billing.reconciler.initial-delay=1h",
                            "billing.expiry.initial-delay=1h",
                            "billing.reconciler.fetch-missed-events=true",
                            "billing.reconciler.missed-events-lookback=1d")
                    .run(context -> {
                        ReconcilerScheduler scheduler = context.getBean(ReconcilerScheduler.class);
                        assertThat(scheduler.jobs())
                                .containsExactly(
                                        Job.RECONCILE, Job.FETCH_MISSED_EVENTS, Job.EXPIRY, Job.EVENTS, Job.RECHARGE);
                        TokenBillingService service = context.getBean(TokenBillingService.class);
                        MeterRegistry meters = context.getBean(MeterRegistry.class);
                        SeedCatalog.seed(service);
                        UserId user = UserId.of("missed-user");
                        PurchaseIntent intent = service.purchases().start(user, "booster-500k");
                        Browser.confirm(fake, intent.paymentIntentId(), intent.clientSecret(), "pm_card_visa");

                        MissedEventsReport report = scheduler.fetchMissedEventsOnce();

                        assertThat(report.processed())
                                .extracting(outcome -> outcome.eventType().orElse(""))
                                .contains("payment_intent.succeeded");
                        assertThat(service.purchases()
                                        .get(user, intent.purchaseId())
                                        .status())
                                .isEqualTo(PurchaseStatus.COMPLETED);
                        assertThat(service.ledger().balance(user).balance()).isEqualTo(500_000);
                        assertThat(meters.get("billing.reconciler.missed.events")
                                        .tag("outcome", "processed")
                                        .counter()
                                        .count())
                                .isPositive();
                        assertThat(meters.get("billing.purchases.completed")
                                        .tag("package", "booster-500k")
                                        .counter()
                                        .count())
                                .isEqualTo(1);
                        assertThat(meters.get("billing.tokens.credited")
                                        .tag("kind", "purchase")
                                        .counter()
                                        .count())
                                .isEqualTo(500_000);

                        MissedEventsReport again = scheduler.fetchMissedEventsOnce();
                        assertThat(again.processed()).isEmpty();
                        assertThat(again.alreadyStored()).isEqualTo(report.listed());
                        assertThat(report.processed())
                                .allSatisfy(outcome -> assertThat(outcome.status())
                                        .isIn(WebhookOutcome.Status.PROCESSED, WebhookOutcome.Status.IGNORED));
                    });
        }
    }

    @Test
    void shouldDeliverBillingEventsToListenerBeansAndRechargeOnTheirSchedules() {
        List<BillingEvent> heard = new CopyOnWriteArrayList<>();
        try (FakeStripe fake = FakeStripe.start()) {
            runner.withBean(BillingEventListener.class, () -> heard::add)
                    .withPropertyValues(
                            "billing.stripe.secret-key=" + fake.secretKey(),
                            "billing.stripe.api-base=" + fake.apiBase(),
                            "billing.reconciler.initial-delay=1h",
                            "billing.expiry.initial-delay=1h",
                            "billing.events.delivery-interval=100ms",
                            "billing.recharge.interval=100ms")
                    .run(context -> {
                        TokenBillingService service = context.getBean(TokenBillingService.class);
                        MeterRegistry meters = context.getBean(MeterRegistry.class);
                        ReconcilerScheduler scheduler = context.getBean(ReconcilerScheduler.class);
                        SeedCatalog.seed(service);
                        UserId user = UserId.of("recharging-user");
                        PurchaseIntent intent = service.purchases().startSavingCard(user, "starter-100k");
                        Browser.confirm(fake, intent.paymentIntentId(), intent.clientSecret(), "pm_card_visa");
                        scheduler.fetchMissedEventsOnce();
                        assertThat(service.ledger().balance(user).balance()).isEqualTo(100_000);
                        assertThat(service.recharge().cards(user)).hasSize(1);
                        service.recharge().setRule(user, RechargeSettings.of("booster-500k", 50_000));
                        service.ledger().setLowBalanceAlert(user, 60_000);

                        service.ledger().debit(Debit.of(user, 60_000, IdempotencyKey.of("recharge-crossing")));

                        Awaitility.await()
                                .atMost(Duration.ofSeconds(15))
                                .until(() -> service.ledger().balance(user).balance() == 540_000);
                        assertThat(service.recharge().attempts(user, 10))
                                .singleElement()
                                .satisfies(
                                        attempt -> assertThat(attempt.status()).isEqualTo(RechargeStatus.SUCCEEDED));
                        Awaitility.await()
                                .atMost(Duration.ofSeconds(15))
                                .untilAsserted(() -> assertThat(heard)
                                        .filteredOn(event -> event.userId().equals(user))
                                        .extracting(BillingEvent::type)
                                        .contains("purchase.completed", "balance.low"));
                        assertThat(meters.get("billing.events.delivered")
                                        .counter()
                                        .count())
                                .isGreaterThanOrEqualTo(2);
                        assertThat(meters.get("billing.recharges")
                                        .tag("outcome", "paid")
                                        .counter()
                                        .count())
                                .isEqualTo(1);
                    });
        }
    }
}
