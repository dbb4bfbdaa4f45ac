package dev.tokenbilling;

import static dev.tokenbilling.support.TestSeed.between;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenbilling.error.InsufficientTokensException;
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
import dev.tokenbilling.support.BillingFixture;
import dev.tokenbilling.support.MutableClock;
import dev.tokenbilling.support.TestSeed;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;

/**
 * Random sequences of expiring and prioritised grants, consumes, holds, settlements, releases,
 * voids, clock moves and expiry runs, against a small in-memory model of the user's balance and
 * holds. After every step the balance is what the model says and never below zero, the available
 * balance is never below zero, and the reserved tokens are those of the holds that can still be
 * active; a hold's settlement debits exactly what was settled and never more than it held, a release
 * debits nothing, a refusal changes nothing, and what the model says must succeed (or be refused)
 * does. At the end of each sequence the ledger, lot and hold invariants hold. Each case is a seeded
 * random sequence; {@code -Dbilling.test.seed} repeats a run.
 */
class LotsPropertiesTest {

    private static final int CASES = 40;
    private static final int MAX_OPERATIONS = 40;
    private static final long MAX_AMOUNT = 3_000;
    private static final int MAX_PICK = 90;
    private static final int EXPIRY_LIMIT = 100;

    private static final MutableClock CLOCK = new MutableClock(Instant.parse("2026-03-01T00:00:00Z"));
    private static TestSeed seed;
    private static BillingFixture fixture;

    /** The step of the current case being run, for the failure message. */
    private int step;

    enum Kind {
        GRANT,
        EXPIRING_GRANT,
        CONSUME,
        RESERVE,
        SETTLE,
        RELEASE,
        VOID,
        ADVANCE,
        EXPIRE
    }

    record Op(Kind kind, long amount, int pick) {}

    @BeforeAll
    static void migrate() {
        seed = TestSeed.of(LotsPropertiesTest.class);
        fixture = BillingFixture.create(LotsPropertiesTest.class, CLOCK);
    }

    @RepeatedTest(value = CASES, name = "case {currentRepetition} of {totalRepetitions}")
    void shouldKeepInvariantsForAnySequence(RepetitionInfo repetition) {
        int caseNumber = repetition.getCurrentRepetition();
        List<Op> ops = sequence(seed.random(caseNumber));
        seed.check(caseNumber, () -> progress(ops), () -> run(UserId.of("lp-" + caseNumber), ops));
    }

    /** Where the case failed, and all its operations. */
    private String progress(List<Op> ops) {
        String failing = step < ops.size()
                ? "failing step " + (step + 1) + " of " + ops.size() + ": " + ops.get(step)
                : "final ledger audit";
        return failing + " (clock " + CLOCK.instant() + ")" + System.lineSeparator() + "  operations: " + ops;
    }

    private void run(UserId user, List<Op> ops) {
        Model model = new Model();
        for (step = 0; step < ops.size(); step++) {
            Op op = ops.get(step);
            String key = "k" + step;
            Instant now = CLOCK.instant();
            long before = fixture.service.ledger().balance(user).balance();
            switch (op.kind()) {
                case GRANT -> {
                    fixture.service
                            .ledger()
                            .grant(Grant.of(user, op.amount(), IdempotencyKey.of(key), "prop")
                                    .withTerms(LotTerms.DEFAULT.withPriority(op.pick() % 3)));
                    model.balance += op.amount();
                }
                case EXPIRING_GRANT -> {
                    fixture.service
                            .ledger()
                            .grant(Grant.of(user, op.amount(), IdempotencyKey.of(key), "prop")
                                    .withTerms(LotTerms.expiringAt(now.plus(Duration.ofMinutes(1 + op.pick())))));
                    model.balance += op.amount();
                }
                case CONSUME -> consume(user, op, key, now, model);
                case RESERVE -> reserve(user, op, key, now, model);
                case SETTLE, RELEASE -> endHold(user, op, now, before, model);
                case VOID -> voidFirstGrant(user, now, model);
                case ADVANCE -> CLOCK.advance(Duration.ofMinutes(op.pick()));
                case EXPIRE -> expire(user, now, before, model);
            }
            TokenBalance balance = fixture.service.ledger().balance(user);
            Instant after = CLOCK.instant();
            assertThat(balance.balance()).as("balance").isEqualTo(model.balance).isGreaterThanOrEqualTo(0);
            assertThat(balance.balance() - balance.reserved()).as("available").isGreaterThanOrEqualTo(0);
            assertThat(balance.reserved()).as("reserved").isBetween(model.heldAtLeast(after), model.heldAtMost());
        }
        fixture.assertLedgerInvariants();
    }

    /** Debited when the available balance certainly covers it, refused when it certainly does not. */
    private static void consume(UserId user, Op op, String key, Instant now, Model model) {
        boolean debited = succeeds(() -> fixture.service
                .ledger()
                .debit(Debit.of(user, op.amount(), IdempotencyKey.of(key)).withDescription("prop")));
        long availableAtLeast = model.balance - model.heldAtMost();
        long availableAtMost = model.balance - model.heldAtLeast(now);
        if (op.amount() <= availableAtLeast) {
            assertThat(debited)
                    .as("a consume of %s with at least %s available is debited", op.amount(), availableAtLeast)
                    .isTrue();
        }
        if (op.amount() > availableAtMost) {
            assertThat(debited)
                    .as("a consume of %s with at most %s available is refused", op.amount(), availableAtMost)
                    .isFalse();
        }
        if (debited) {
            model.balance -= op.amount();
        }
    }

    /** The user's own lapsed holds are released first, so exactly the live holds count against a new one. */
    private static void reserve(UserId user, Op op, String key, Instant now, Model model) {
        long available = model.balance - model.heldAtLeast(now);
        Optional<Reservation> hold = Optional.empty();
        try {
            hold = Optional.of(fixture.service
                    .reservations()
                    .reserve(ReservationRequest.of(
                            user, op.amount(), Duration.ofMinutes(1 + op.pick()), IdempotencyKey.of(key))));
        } catch (InsufficientTokensException refused) {
            // Checked just below.
        }
        assertThat(hold.isPresent())
                .as("a hold of %s with %s available is made", op.amount(), available)
                .isEqualTo(op.amount() <= available);
        if (hold.isPresent()) {
            assertThat(hold.get().amount()).as("tokens held").isEqualTo(op.amount());
            model.lapsedHoldsReleased(now);
            model.holds.add(hold.get());
        }
    }

    /**
     * Settles or releases one of the sequence's holds. A live hold always ends; a lapsed one is never
     * settled. A settlement debits exactly what was settled, at most what was held; a release nothing.
     */
    private static void endHold(UserId user, Op op, Instant now, long before, Model model) {
        if (model.holds.isEmpty()) {
            return;
        }
        Reservation hold = model.holds.remove(op.pick() % model.holds.size());
        boolean lapsed = !hold.expiresAt().isAfter(now);
        long actual = Math.min(op.amount(), hold.amount());
        if (op.kind() == Kind.SETTLE) {
            boolean settled = succeeds(() -> fixture.service
                    .reservations()
                    .settle(hold.userId(), hold.id(), actual)
                    .reservation());
            assertThat(settled)
                    .as("settling a hold that %s lapsed", lapsed ? "has" : "has not")
                    .isEqualTo(!lapsed);
            if (settled) {
                assertThat(fixture.service.ledger().balance(user).balance())
                        .as("balance after settling %s of %s held", actual, hold.amount())
                        .isEqualTo(before - actual);
                model.balance -= actual;
            }
        } else {
            boolean knownEnded = model.ended.contains(hold.id());
            boolean released = succeeds(() -> fixture.service.reservations().release(hold.userId(), hold.id()));
            if (!lapsed || knownEnded) {
                assertThat(released)
                        .as("releasing a hold that %s", lapsed ? "an expiry ended" : "is live")
                        .isEqualTo(!lapsed);
            }
            if (released) {
                assertThat(fixture.service.ledger().balance(user).balance())
                        .as("balance after a release")
                        .isEqualTo(before);
            }
        }
    }

    /** Takes what remains of the lot, but never tokens that holds may still protect. */
    private static void voidFirstGrant(UserId user, Instant now, Model model) {
        Optional<TokenLot> grant = fixture.service.ledger().lots(user).stream()
                .filter(lot -> lot.source().equals("grant"))
                .findFirst();
        if (grant.isPresent()) {
            long remaining = grant.get().remaining();
            long voided = fixture.service
                    .ledger()
                    .voidGrant(user, grant.get().id(), "prop")
                    .tokensVoided();
            assertThat(voided)
                    .as("tokens voided of a lot with %s remaining", remaining)
                    .isBetween(
                            Math.min(remaining, Math.max(0, model.balance - model.heldAtMost())),
                            Math.min(remaining, model.balance - model.heldAtLeast(now)));
            model.balance -= voided;
        }
    }

    /** Other users' lots and holds may take the run's limit: this user loses at most its lapsed tokens. */
    private static void expire(UserId user, Instant now, long before, Model model) {
        long lapsedTokens = fixture.service.ledger().lots(user).stream()
                .filter(lot ->
                        lot.expiresAt().isPresent() && !lot.expiresAt().get().isAfter(now))
                .mapToLong(TokenLot::remaining)
                .sum();
        ExpiryReport report = fixture.service.operations().expire(EXPIRY_LIMIT);
        long after = fixture.service.ledger().balance(user).balance();
        assertThat(before - after)
                .as("tokens expired of %s in lapsed lots", lapsedTokens)
                .isBetween(0L, lapsedTokens);
        model.balance = after;
        if (report.reservationsReleased() < EXPIRY_LIMIT) {
            model.lapsedHoldsReleased(now);
        }
    }

    /** Runs a call that may be refused; false when it was (a refusal must change nothing, which the model checks). */
    private static boolean succeeds(Runnable call) {
        try {
            call.run();
            return true;
        } catch (InsufficientTokensException | ReservationNotActiveException refused) {
            return false;
        }
    }

    /** Up to 40 operations of any kind; amounts and picks favour their bounds now and then. */
    private static List<Op> sequence(SplittableRandom random) {
        int size = (int) between(random, 0, MAX_OPERATIONS);
        Kind[] kinds = Kind.values();
        List<Op> ops = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            ops.add(new Op(kinds[random.nextInt(kinds.length)], between(random, 1, MAX_AMOUNT), (int)
                    between(random, 0, MAX_PICK)));
        }
        return ops;
    }

    /**
     * The user's balance, and the holds this sequence made and has not ended itself. A hold is
     * certainly active until it lapses; after that, until something is known to have released it.
     */
    private static final class Model {
        private long balance;
        private final List<Reservation> holds = new ArrayList<>();
        /** Holds that lapsed and were then certainly released (by a reserve of this user or a complete expiry run). */
        private final Set<Long> ended = new HashSet<>();

        /** Tokens held by holds that have not lapsed at {@code now}: these are certainly reserved. */
        long heldAtLeast(Instant now) {
            return holds.stream()
                    .filter(h -> h.expiresAt().isAfter(now))
                    .mapToLong(Reservation::amount)
                    .sum();
        }

        /** Tokens held by holds that may still be active. */
        long heldAtMost() {
            return holds.stream()
                    .filter(h -> !ended.contains(h.id()))
                    .mapToLong(Reservation::amount)
                    .sum();
        }

        void lapsedHoldsReleased(Instant now) {
            holds.stream().filter(h -> !h.expiresAt().isAfter(now)).forEach(h -> ended.add(h.id()));
        }
    }
}
