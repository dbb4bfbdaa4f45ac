package dev.tokenbilling;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenbilling.error.IdempotencyConflictException;
import dev.tokenbilling.error.InsufficientTokensException;
import dev.tokenbilling.error.InvalidRequestException;
import dev.tokenbilling.error.ReservationNotActiveException;
import dev.tokenbilling.model.Debit;
import dev.tokenbilling.model.ExpiryReport;
import dev.tokenbilling.model.Grant;
import dev.tokenbilling.model.IdempotencyKey;
import dev.tokenbilling.model.LotTerms;
import dev.tokenbilling.model.Reservation;
import dev.tokenbilling.model.ReservationRequest;
import dev.tokenbilling.model.TokenBalance;
import dev.tokenbilling.model.TokenLot;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.service.TokenBillingService;
import dev.tokenbilling.support.BillingFixture;
import dev.tokenbilling.support.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Eight threads mix expiring grants, priorities, consumes, holds (settled, released, left to lapse),
 * voids and expiry runs on a few users while the clock moves. Afterwards: balance = sum of ledger =
 * sum of lot remainders, reserved = active holds, available never below zero, no lot below zero.
 * And work really happened: enough grants, debits, holds, settlements, releases, voids and expiries
 * succeeded (counted here), so a run where everything is refused fails.
 */
class LotsConcurrencyTest {

    private static final int THREADS = 8;
    private static final int OPERATIONS_PER_THREAD = 800;
    private static final List<UserId> USERS = List.of(UserId.of("lc-1"), UserId.of("lc-2"), UserId.of("lc-3"));

    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final BillingFixture fixture = BillingFixture.create(LotsConcurrencyTest.class, clock);
    private final TokenBillingService service = fixture.service;
    /** Operations that did something, by kind, and refusals: counted so that a run where everything is refused fails. */
    private final Map<String, AtomicInteger> done = new ConcurrentHashMap<>();

    @Test
    void shouldKeepLotAndHoldInvariantsUnderConcurrentLoad() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                long seed = 7_000 + t;
                int thread = t;
                workers.add(pool.submit(() -> work(thread, new SplittableRandom(seed))));
            }
            for (Future<?> worker : workers) {
                worker.get();
            }
        } finally {
            pool.shutdownNow();
        }

        // A run where (nearly) everything is refused would keep every invariant, so check work happened.
        int operations = THREADS * OPERATIONS_PER_THREAD;
        assertThat(done("grants")).as("grants made; all counts: %s", done).isGreaterThanOrEqualTo(operations / 10);
        assertThat(done("debits")).as("consumes debited; all counts: %s", done).isGreaterThanOrEqualTo(operations / 10);
        assertThat(done("holds")).as("holds made; all counts: %s", done).isGreaterThanOrEqualTo(operations / 10);
        assertThat(done("settlements"))
                .as("holds settled; all counts: %s", done)
                .isGreaterThanOrEqualTo(operations / 100);
        assertThat(done("releases"))
                .as("holds released; all counts: %s", done)
                .isGreaterThanOrEqualTo(operations / 200);
        assertThat(done("voids")).as("grants voided; all counts: %s", done).isGreaterThanOrEqualTo(operations / 100);
        assertThat(done("lots expired"))
                .as("lots expired; all counts: %s", done)
                .isGreaterThanOrEqualTo(operations / 200);
        assertThat(done("holds expired"))
                .as("lapsed holds released; all counts: %s", done)
                .isGreaterThanOrEqualTo(operations / 200);

        fixture.assertLedgerInvariants();
        for (UserId user : USERS) {
            TokenBalance balance = service.ledger().balance(user);
            assertThat(balance.balance() - balance.reserved())
                    .as("available of %s", user)
                    .isGreaterThanOrEqualTo(0);
            assertThat(service.ledger().allLots(user))
                    .allSatisfy(lot -> assertThat(lot.remaining()).isBetween(0L, lot.amount()));
        }
    }

    private void work(int thread, SplittableRandom random) {
        List<Reservation> holds = new ArrayList<>();
        for (int i = 0; i < OPERATIONS_PER_THREAD; i++) {
            UserId user = USERS.get(random.nextInt(USERS.size()));
            String key = thread + "-" + i;
            int roll = random.nextInt(100);
            try {
                if (roll < 20) {
                    // Other threads move the clock meanwhile; an expiry they overtake is refused (and changes nothing).
                    LotTerms terms = random.nextBoolean()
                            ? LotTerms.DEFAULT
                            : LotTerms.expiringAt(clock.instant().plus(Duration.ofMinutes(15 + random.nextInt(60))))
                                    .withPriority(random.nextInt(3) - 1);
                    if (!service.ledger()
                            .grant(Grant.of(user, 100 + random.nextInt(2_000), IdempotencyKey.of("g-" + key), "load")
                                    .withTerms(terms))
                            .replayed()) {
                        count("grants");
                    }
                } else if (roll < 45) {
                    if (!service.ledger()
                            .debit(Debit.of(
                                            user,
                                            1 + random.nextInt(500),
                                            IdempotencyKey.of("u-" + random.nextInt(5_000)))
                                    .withDescription("load"))
                            .replayed()) {
                        count("debits");
                    }
                } else if (roll < 65) {
                    holds.add(service.reservations()
                            .reserve(ReservationRequest.of(
                                    user,
                                    1 + random.nextInt(800),
                                    Duration.ofMinutes(1 + random.nextInt(30)),
                                    IdempotencyKey.of("r-" + key))));
                    count("holds");
                } else if (roll < 85 && !holds.isEmpty()) {
                    Reservation hold = holds.remove(random.nextInt(holds.size()));
                    if (random.nextInt(4) == 0) {
                        service.reservations().release(hold.userId(), hold.id());
                        count("releases");
                    } else {
                        service.reservations()
                                .settle(hold.userId(), hold.id(), random.nextLong(hold.amount() + 1))
                                .reservation();
                        count("settlements");
                    }
                } else if (roll < 90) {
                    List<TokenLot> lots = service.ledger().lots(user);
                    lots.stream()
                            .filter(lot -> lot.source().equals("grant"))
                            .findAny()
                            .ifPresent(lot -> count(
                                    service.ledger()
                                                            .voidGrant(user, lot.id(), "load")
                                                            .tokensVoided()
                                                    > 0
                                            ? "voids"
                                            : "empty voids"));
                } else if (roll < 95) {
                    clock.advance(Duration.ofSeconds(30 + random.nextInt(120)));
                } else {
                    ExpiryReport report = service.operations().expire(50);
                    add("lots expired", report.lotsExpired());
                    add("holds expired", report.reservationsReleased());
                }
            } catch (InsufficientTokensException
                    | ReservationNotActiveException
                    | IdempotencyConflictException
                    | InvalidRequestException expected) {
                // Refusals change nothing; the invariants are checked at the end.
                count("refusals");
            }
        }
    }

    private void count(String kind) {
        add(kind, 1);
    }

    private void add(String kind, int n) {
        done.computeIfAbsent(kind, k -> new AtomicInteger()).addAndGet(n);
    }

    private int done(String kind) {
        return done.getOrDefault(kind, new AtomicInteger()).get();
    }
}
