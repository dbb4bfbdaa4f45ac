package dev.tokenbilling;

import dev.tokenbilling.error.InsufficientTokensException;
import dev.tokenbilling.error.ReservationNotActiveException;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenbilling.model.LotTerms;
import dev.tokenbilling.model.Reservation;
import dev.tokenbilling.model.TokenBalance;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.support.BillingFixture;
import dev.tokenbilling.support.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Random sequences of expiring and prioritised grants, consumes, holds, settlements, releases,
 * voids, clock moves and expiry runs. After every step the ledger, lot and hold invariants hold,
 * and a hold's settlement never debits more than it held.
 */
class LotsPropertiesTest {

    private static final MutableClock CLOCK = new MutableClock(Instant.parse("2026-03-01T00:00:00Z"));
    private static BillingFixture fixture;
    private static int run;

    enum Kind { GRANT, EXPIRING_GRANT, CONSUME, RESERVE, SETTLE, RELEASE, VOID, ADVANCE, EXPIRE }

    record Op(Kind kind, long amount, int pick) {
    }

    @BeforeContainer
    static void migrate() {
        fixture = BillingFixture.create(LotsPropertiesTest.class, CLOCK);
    }

    @Property(tries = 40)
    void shouldKeepInvariantsForAnySequence(@ForAll("sequences") List<Op> ops) {
        TokenBillingService service = fixture.service;
        UserId user = UserId.of("lp-" + (++run));
        List<Reservation> holds = new ArrayList<>();
        int step = 0;
        for (Op op : ops) {
            String key = "k" + (step++);
            long before = service.balance(user).balance();
            try {
                switch (op.kind()) {
                    case GRANT -> service.grant(user, op.amount(), "prop", key, LotTerms.DEFAULT.withPriority(op.pick() % 3));
                    case EXPIRING_GRANT -> service.grant(user, op.amount(), "prop", key,
                            LotTerms.expiringAt(CLOCK.instant().plus(Duration.ofMinutes(1 + op.pick()))));
                    case CONSUME -> service.consume(user, op.amount(), key, "prop");
                    case RESERVE -> holds.add(service.reserve(user, op.amount(), Duration.ofMinutes(1 + op.pick()), key));
                    case SETTLE, RELEASE -> {
                        if (!holds.isEmpty()) {
                            Reservation hold = holds.remove(op.pick() % holds.size());
                            long actual = Math.min(op.amount(), hold.amount());
                            if (op.kind() == Kind.SETTLE) {
                                service.settle(hold.id(), actual);
                                assertThat(service.balance(user).balance()).isEqualTo(before - actual);
                            } else {
                                service.release(hold.id());
                                assertThat(service.balance(user).balance()).isEqualTo(before);
                            }
                        }
                    }
                    case VOID -> service.lots(user).stream().filter(lot -> lot.source().equals("grant")).findFirst()
                            .ifPresent(lot -> service.voidGrant(user, lot.id(), "prop"));
                    case ADVANCE -> CLOCK.advance(Duration.ofMinutes(op.pick()));
                    case EXPIRE -> service.expire(100);
                }
            } catch (InsufficientTokensException | ReservationNotActiveException e) {
                assertThat(service.balance(user).balance()).isEqualTo(before);
            }
            TokenBalance balance = service.balance(user);
            assertThat(balance.balance()).isGreaterThanOrEqualTo(0);
            assertThat(balance.balance() - balance.reserved()).isGreaterThanOrEqualTo(0);
        }
        fixture.assertLedgerInvariants();
    }

    @Provide
    Arbitrary<List<Op>> sequences() {
        return Combinators.combine(Arbitraries.of(Kind.class), Arbitraries.longs().between(1, 3_000), Arbitraries.integers().between(0, 90))
                .as(Op::new).list().ofMaxSize(40);
    }
}
