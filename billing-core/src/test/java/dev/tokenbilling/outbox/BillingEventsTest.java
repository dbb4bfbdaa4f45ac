package dev.tokenbilling.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenbilling.model.BillingEvent;
import dev.tokenbilling.model.Debit;
import dev.tokenbilling.model.DeliveryReport;
import dev.tokenbilling.model.Grant;
import dev.tokenbilling.model.IdempotencyKey;
import dev.tokenbilling.model.Purchase;
import dev.tokenbilling.model.Reservation;
import dev.tokenbilling.model.ReservationRequest;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.support.BillingFixture;
import dev.tokenbilling.support.MutableClock;
import dev.tokenbilling.support.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The durable outbox: events written with their change, balance crossings once each, delivery in
 * order per user with retries, and no event lost when the host dies between commit and delivery.
 */
class BillingEventsTest {

    private static final AtomicInteger USERS = new AtomicInteger();
    private static final List<BillingEvent> received = new CopyOnWriteArrayList<>();
    /** A second listener: each gets every event, once when nothing fails. */
    private static final List<BillingEvent> audited = new CopyOnWriteArrayList<>();

    private static final AtomicBoolean failing = new AtomicBoolean();

    private static MutableClock clock;
    private static BillingFixture fixture;

    @BeforeAll
    static void setUp() {
        clock = new MutableClock(Instant.now());
        fixture = BillingFixture.create(
                BillingEventsTest.class,
                builder -> builder.clock(clock)
                        .eventListener(event -> {
                            if (failing.get()) {
                                throw new IllegalStateException("host is down");
                            }
                            received.add(event);
                        })
                        .eventListener(audited::add));
        fixture.seed();
    }

    @BeforeEach
    void deliverLeftovers() {
        failing.set(false);
        deliver();
        received.clear();
        audited.clear();
    }

    private static UserId user() {
        return UserId.of("events-user-" + USERS.incrementAndGet());
    }

    private static DeliveryReport deliver() {
        return fixture.service.operations().deliverEvents(1_000);
    }

    private static List<String> receivedTypes(UserId user) {
        return received.stream()
                .filter(event -> event.userId().equals(user))
                .map(BillingEvent::type)
                .toList();
    }

    private static void grant(UserId user, long tokens, String key) {
        fixture.service.ledger().grant(Grant.of(user, tokens, IdempotencyKey.of(key), "test"));
    }

    private static void debit(UserId user, long tokens, String key) {
        fixture.service.ledger().debit(Debit.of(user, tokens, IdempotencyKey.of(key)));
    }

    @Test
    void shouldRaiseLowAndDepletedOncePerCrossingAndReArmOnCredit() {
        UserId user = user();
        fixture.service.ledger().setLowBalanceAlert(user, 1_000);
        assertThat(fixture.service.ledger().lowBalanceAlert(user)).hasValue(1_000);
        grant(user, 5_000, "g1");
        debit(user, 1_500, "d1"); // 3,500
        debit(user, 1_500, "d2"); // 2,000
        debit(user, 1_500, "d3"); // 500: crosses 1,000
        debit(user, 400, "d4"); // 100: still below, no new alert
        debit(user, 100, "d5"); // 0: depleted
        grant(user, 3_000, "g2"); // 3,000: re-armed
        debit(user, 2_500, "d6"); // 500: crosses again
        deliver();

        assertThat(receivedTypes(user)).containsExactly("balance.low", "balance.depleted", "balance.low");
        BillingEvent low = received.stream()
                .filter(event -> event.userId().equals(user))
                .findFirst()
                .orElseThrow();
        assertThat(low.payload()).contains("\"available\":500").contains("\"threshold\":1000");

        fixture.service.ledger().clearLowBalanceAlert(user);
        grant(user, 3_000, "g3");
        debit(user, 2_900, "d7");
        deliver();
        assertThat(receivedTypes(user)).hasSize(3);
    }

    @Test
    void shouldRaiseOneAlertWhenAHoldCrossesAndItsSettlementStaysBelow() {
        UserId user = user();
        fixture.service.ledger().setLowBalanceAlert(user, 1_000);
        grant(user, 2_000, "g1");
        Reservation hold = fixture.service
                .reservations()
                .reserve(ReservationRequest.of(user, 1_500, Duration.ofMinutes(5), IdempotencyKey.of("h1")));
        // Available 500: the hold crossed. Settling part of it frees the rest, still below the threshold.
        fixture.service.reservations().settle(user, hold.id(), 1_200); // 800
        deliver();

        assertThat(receivedTypes(user)).as("one crossing, one alert").containsExactly("balance.low");
        assertThat(fixture.service.ledger().balance(user).available()).isEqualTo(800);
    }

    @Test
    void shouldRaiseOneAlertWhenConcurrentDebitsCrossTogether() throws Exception {
        UserId user = user();
        fixture.service.ledger().setLowBalanceAlert(user, 5_000);
        grant(user, 10_000, "concurrent-grant");
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                int n = i;
                futures.add(threads.submit(() -> debit(user, 1_000, "concurrent-" + n)));
            }
            for (Future<?> future : futures) {
                future.get(30, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }
        deliver();
        assertThat(receivedTypes(user)).containsExactly("balance.low");
    }

    @Test
    void shouldWriteAPurchasesEventWithItsCreditAndDeliverEachUsersEventsInOrderDespiteFailures() {
        Purchase purchase = fixture.pendingPurchase(user().value(), "starter-100k");
        UserId user = purchase.userId();
        fixture.complete(purchase);
        debit(user, 100_000, "empties"); // balance.depleted after purchase.completed
        catchUpWithTheHost(); // the fixture's transitions run on the real clock

        failing.set(true);
        DeliveryReport failed = deliver();
        assertThat(failed.failed()).isPositive();
        List<BillingEvent> pending =
                fixture.service.operations().billingEvents(Optional.of(user), Optional.of(false), 10);
        assertThat(pending).extracting(BillingEvent::type).containsExactly("balance.depleted", "purchase.completed");
        assertThat(pending.get(1).lastError())
                .hasValueSatisfying(error -> assertThat(error).contains("host is down"));
        assertThat(pending.get(0).attempts())
                .as("a later event waits for the earlier one")
                .isZero();

        failing.set(false);
        clock.advance(Duration.ofMinutes(5));
        deliver();
        assertThat(receivedTypes(user)).containsExactly("purchase.completed", "balance.depleted");
        assertThat(received.get(0).payload())
                .contains("\"purchase_id\":" + purchase.id())
                .contains("\"tokens\":100000");

        // An operator's redelivery sends it once more, under the same id.
        long id = received.get(0).id();
        assertThat(fixture.service.operations().redeliverEvent(user, id)).isTrue();
        deliver();
        assertThat(received).filteredOn(event -> event.id() == id).hasSize(2);
        assertThat(fixture.service.operations().redeliverEvent(user(), id)).isFalse();
    }

    @Test
    void shouldDeliverWhatAHostThatDiedAfterCommittingLeftBehind() throws Exception {
        UserId beforeDelivery = user();
        assertThat(runCrashingHost(beforeDelivery, "before-delivery")).isEqualTo(2);
        catchUpWithTheHost();
        deliver();
        assertThat(receivedTypes(beforeDelivery)).containsExactly("balance.low", "balance.depleted");

        // Died inside the listener: the leased event is delivered again once its lease ends.
        UserId midDelivery = user();
        assertThat(runCrashingHost(midDelivery, "mid-delivery")).isEqualTo(3);
        catchUpWithTheHost();
        deliver();
        assertThat(receivedTypes(midDelivery))
                .as("still leased by the dead host")
                .isEmpty();
        clock.advance(Duration.ofMinutes(2));
        deliver();
        assertThat(receivedTypes(midDelivery)).containsExactly("balance.low", "balance.depleted");
        deliver();
        assertThat(receivedTypes(midDelivery)).hasSize(2);
        // Each listener got each event once.
        assertThat(audited).extracting(BillingEvent::id).doesNotHaveDuplicates();
        assertThat(audited)
                .extracting(BillingEvent::id)
                .containsExactlyInAnyOrderElementsOf(
                        received.stream().map(BillingEvent::id).toList());
    }

    /** The host process ran on the real clock: this test's clock moves to just after it. */
    private static void catchUpWithTheHost() {
        clock.advance(Duration.between(clock.instant(), Instant.now()).plusSeconds(1));
    }

    private static int runCrashingHost(UserId user, String mode) throws Exception {
        Process process = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        CrashingHost.class.getName(),
                        TestDatabase.jdbcUrl(),
                        fixture.schema,
                        user.value(),
                        mode)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        assertThat(process.waitFor(120, TimeUnit.SECONDS))
                .as("the host process ended")
                .isTrue();
        return process.exitValue();
    }
}
