package dev.tokenbilling;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenbilling.model.ExpiryReport;
import dev.tokenbilling.model.Grant;
import dev.tokenbilling.model.IdempotencyKey;
import dev.tokenbilling.model.LotTerms;
import dev.tokenbilling.model.Reservation;
import dev.tokenbilling.model.ReservationRequest;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.service.TokenBillingService;
import dev.tokenbilling.support.BillingFixture;
import dev.tokenbilling.support.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Expiry in batches up to a limit, and holds asked for by racing calls with one key. Each test on a schema of its own. */
class ExpiryAndHoldRacesTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-07-01T08:00:00Z"));
    private final BillingFixture fixture = BillingFixture.create(ExpiryAndHoldRacesTest.class, clock);
    private final TokenBillingService service = fixture.service;

    @AfterEach
    void ledgerStaysSound() {
        fixture.assertLedgerInvariants();
    }

    @Test
    void shouldExpireInBatchesUpToTheLimitAndReportTheRunningTotal() {
        for (int i = 0; i < 5; i++) {
            service.ledger()
                    .grant(Grant.of(UserId.of("expiring-" + i), 100, IdempotencyKey.of("promo"), "promo")
                            .withTerms(LotTerms.expiringAt(clock.instant().plus(Duration.ofDays(1)))));
        }
        clock.advance(Duration.ofDays(2));
        List<ExpiryReport> progress = new ArrayList<>();

        ExpiryReport first = service.operations().expireDue(2, 3, progress::add);
        ExpiryReport rest = service.operations().expireDue(2, 100, report -> {});

        assertThat(first).isEqualTo(new ExpiryReport(3, 300, 0));
        assertThat(progress).extracting(ExpiryReport::lotsExpired).containsExactly(2, 3);
        assertThat(rest).isEqualTo(new ExpiryReport(2, 200, 0));
        assertThat(service.operations().expireDue(2, 100, report -> {})).isEqualTo(ExpiryReport.NOTHING);
    }

    @Test
    void shouldGiveEveryRacingReserveWithOneKeyTheSameHold() throws Exception {
        UserId user = UserId.of("racing-holds");
        service.ledger().grant(Grant.of(user, 10_000, IdempotencyKey.of("g"), "start"));
        int threads = 8;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Reservation>> holds = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                Callable<Reservation> reserve = () -> {
                    start.await();
                    return service.reservations()
                            .reserve(ReservationRequest.of(
                                    user, 700, Duration.ofMinutes(5), IdempotencyKey.of("req-1")));
                };
                holds.add(pool.submit(reserve));
            }
            start.countDown();
            List<Long> ids = new ArrayList<>();
            for (Future<Reservation> hold : holds) {
                ids.add(hold.get().id());
            }
            assertThat(ids).containsOnly(ids.get(0));
            assertThat(service.ledger().balance(user).reserved()).isEqualTo(700);
        } finally {
            pool.shutdownNow();
        }
    }
}
