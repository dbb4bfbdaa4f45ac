package dev.tokenbilling.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenbilling.model.Debit;
import dev.tokenbilling.model.Grant;
import dev.tokenbilling.model.IdempotencyKey;
import dev.tokenbilling.model.RechargeAttempt;
import dev.tokenbilling.model.RechargeStatus;
import dev.tokenbilling.model.Reservation;
import dev.tokenbilling.model.ReservationRequest;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.store.RechargeRepository;
import dev.tokenbilling.support.BillingFixture;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every kind of posting that takes the available balance below a running rule's threshold records
 * one pending recharge in its own transaction: a debit, an item of a batch, a settlement, a hold.
 */
class RechargeTriggerTest {

    private static final AtomicInteger USERS = new AtomicInteger();
    private static BillingFixture fixture;

    @BeforeAll
    static void setUp() {
        fixture = BillingFixture.create(RechargeTriggerTest.class);
        fixture.seed();
    }

    /** A user with 10,000 tokens and a running rule with a threshold of 5,000. */
    private static UserId userWithRule() {
        UserId user = UserId.of("trigger-" + USERS.incrementAndGet());
        fixture.service.ledger().grant(Grant.of(user, 10_000, IdempotencyKey.of("fund"), "test"));
        long pack = fixture.service.catalog().getPackage("starter-100k").id();
        fixture.billing
                .store()
                .recharges()
                .saveRule(
                        user,
                        new RechargeRepository.RuleChange(pack, 5_000, "pm_test", 5, 10_000, 3, true),
                        Instant.now());
        return user;
    }

    private static List<RechargeAttempt> attempts(UserId user) {
        return fixture.service.recharge().attempts(user, 10);
    }

    @Test
    void shouldRecordOneRechargeWhenADebitCrosses() {
        UserId user = userWithRule();
        fixture.service.ledger().debit(Debit.of(user, 4_000, IdempotencyKey.of("above")));
        assertThat(attempts(user)).isEmpty();
        fixture.service.ledger().debit(Debit.of(user, 2_000, IdempotencyKey.of("crosses")));
        fixture.service.ledger().debit(Debit.of(user, 2_000, IdempotencyKey.of("below")));
        assertThat(attempts(user)).singleElement().satisfies(attempt -> {
            assertThat(attempt.status()).isEqualTo(RechargeStatus.PENDING);
            assertThat(attempt.availableAtStart()).isEqualTo(4_000);
        });
    }

    @Test
    void shouldRecordOneRechargeWhenABatchCrosses() {
        UserId user = userWithRule();
        fixture.service
                .ledger()
                .debitAll(List.of(
                        Debit.of(user, 3_000, IdempotencyKey.of("b1")),
                        Debit.of(user, 3_000, IdempotencyKey.of("b2")),
                        Debit.of(user, 3_000, IdempotencyKey.of("b3"))));
        assertThat(attempts(user)).hasSize(1);
    }

    @Test
    void shouldRecordOneRechargeWhenAHoldOrItsSettlementCrosses() {
        UserId held = userWithRule();
        fixture.service
                .reservations()
                .reserve(ReservationRequest.of(held, 6_000, Duration.ofMinutes(5), IdempotencyKey.of("hold")));
        assertThat(attempts(held))
                .as("the hold took the available balance below")
                .hasSize(1);

        UserId settled = userWithRule();
        Reservation hold = fixture.service
                .reservations()
                .reserve(ReservationRequest.of(settled, 4_000, Duration.ofMinutes(5), IdempotencyKey.of("small")));
        fixture.service.reservations().settle(settled, hold.id(), 4_000);
        fixture.service.ledger().debit(Debit.of(settled, 2_000, IdempotencyKey.of("after-settle")));
        assertThat(attempts(settled)).hasSize(1);
    }

    @Test
    void shouldRecordNothingForAPausedRule() {
        UserId user = userWithRule();
        fixture.service.recharge().pause(user);
        fixture.service.ledger().debit(Debit.of(user, 8_000, IdempotencyKey.of("paused")));
        assertThat(attempts(user)).isEmpty();
        fixture.service.recharge().resume(user);
        fixture.service.ledger().grant(Grant.of(user, 10_000, IdempotencyKey.of("refill"), "test"));
        fixture.service.ledger().debit(Debit.of(user, 9_000, IdempotencyKey.of("resumed")));
        assertThat(attempts(user)).hasSize(1);
    }
}
