package dev.tokenbilling;

import static dev.tokenbilling.support.TestSeed.between;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenbilling.error.InsufficientTokensException;
import dev.tokenbilling.model.Debit;
import dev.tokenbilling.model.ExpiryReport;
import dev.tokenbilling.model.Grant;
import dev.tokenbilling.model.IdempotencyKey;
import dev.tokenbilling.model.LotTerms;
import dev.tokenbilling.model.Reservation;
import dev.tokenbilling.model.ReservationRequest;
import dev.tokenbilling.model.TokenLot;
import dev.tokenbilling.model.UsageResult;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.service.LedgerService;
import dev.tokenbilling.support.BillingFixture;
import dev.tokenbilling.support.MutableClock;
import dev.tokenbilling.support.TestSeed;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;

/**
 * Batched debits leave the lots as the same debits posted one by one would. Two users go through
 * the same random sequence of prioritised and expiring grants, debits, holds, settlements, voids,
 * clock moves and expiry runs; one user's usage is posted by single debits, the other's by batches
 * of one to three items (whose draw from the lots waits for the next posting that reads or adds
 * lots). After every step both users have the same balance and lots: remainders, which are closed
 * and why. Only the instant a lot closed may differ: a lot emptied by a pending draw closes at the
 * last batch that drew. At the end the ledger invariants hold. {@code -Dbilling.test.seed} repeats a run.
 */
class LotDrawPropertiesTest {

    private static final int CASES = 40;
    private static final int MAX_OPERATIONS = 40;
    private static final long MAX_AMOUNT = 2_000;
    private static final int MAX_PICK = 60;
    private static final int EXPIRY_LIMIT = 200;

    private static final MutableClock CLOCK = new MutableClock(Instant.parse("2026-06-01T00:00:00Z"));
    private static TestSeed seed;
    private static BillingFixture fixture;

    /** The step of the current case being run, for the failure message. */
    private int step;

    enum Kind {
        GRANT,
        EXPIRING_GRANT,
        USAGE,
        SINGLE_DEBIT,
        RESERVE,
        SETTLE,
        VOID,
        ADVANCE,
        EXPIRE
    }

    record Op(Kind kind, long amount, int pick) {}

    /** The same hold made for both users. */
    record Holds(Reservation one, Reservation batched) {}

    @BeforeAll
    static void migrate() {
        seed = TestSeed.of(LotDrawPropertiesTest.class);
        fixture = BillingFixture.create(LotDrawPropertiesTest.class, CLOCK);
    }

    @RepeatedTest(value = CASES, name = "case {currentRepetition} of {totalRepetitions}")
    void shouldLeaveTheLotsAsSingleDebitsWould(RepetitionInfo repetition) {
        int caseNumber = repetition.getCurrentRepetition();
        List<Op> ops = sequence(seed.random(caseNumber));
        seed.check(
                caseNumber,
                () -> progress(ops),
                () -> run(UserId.of("ld-" + caseNumber + "-one"), UserId.of("ld-" + caseNumber + "-batched"), ops));
    }

    private String progress(List<Op> ops) {
        String failing = step < ops.size()
                ? "failing step " + (step + 1) + " of " + ops.size() + ": " + ops.get(step)
                : "final ledger audit";
        return failing + " (clock " + CLOCK.instant() + ")" + System.lineSeparator() + "  operations: " + ops;
    }

    private void run(UserId one, UserId batched, List<Op> ops) {
        LedgerService ledger = fixture.service.ledger();
        List<Holds> holds = new ArrayList<>();
        for (step = 0; step < ops.size(); step++) {
            Op op = ops.get(step);
            String key = "k" + step;
            Instant now = CLOCK.instant();
            switch (op.kind()) {
                case GRANT -> {
                    LotTerms terms = LotTerms.DEFAULT.withPriority(op.pick() % 3);
                    for (UserId user : List.of(one, batched)) {
                        ledger.grant(Grant.of(user, op.amount(), IdempotencyKey.of(key), "prop")
                                .withTerms(terms));
                    }
                }
                case EXPIRING_GRANT -> {
                    LotTerms terms = LotTerms.expiringAt(now.plus(Duration.ofMinutes(1 + op.pick())));
                    for (UserId user : List.of(one, batched)) {
                        ledger.grant(Grant.of(user, op.amount(), IdempotencyKey.of(key), "prop")
                                .withTerms(terms));
                    }
                }
                case USAGE -> usage(ledger, one, batched, op, key);
                case SINGLE_DEBIT ->
                    assertThat(debited(ledger, one, op.amount(), key))
                            .as("a single debit posts for both users alike")
                            .isEqualTo(debited(ledger, batched, op.amount(), key));
                case RESERVE -> reserve(one, batched, op, key).ifPresent(holds::add);
                case SETTLE -> settle(holds, op);
                case VOID -> voidFirstGrant(ledger, one, batched);
                case ADVANCE -> CLOCK.advance(Duration.ofMinutes(op.pick()));
                case EXPIRE -> expireAll();
            }
            assertThat(ledger.balance(batched).balance())
                    .as("balance")
                    .isEqualTo(ledger.balance(one).balance());
            assertThat(comparable(ledger.allLots(batched))).as("lots").isEqualTo(comparable(ledger.allLots(one)));
        }
        fixture.assertLedgerInvariants();
    }

    /** One debit for one user; the same tokens in a batch of up to three items for the other. */
    private static void usage(LedgerService ledger, UserId one, UserId batched, Op op, String key) {
        boolean posted = debited(ledger, one, op.amount(), key);
        List<Long> parts = posted ? split(op.amount(), 1 + op.pick() % 3) : List.of(op.amount());
        List<Debit> batch = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            batch.add(new Debit(batched, parts.get(i), IdempotencyKey.of(key + "-" + i), "prop"));
        }
        assertThat(ledger.debitAll(batch))
                .as("the batch of %s posts as the single debit did", parts)
                .extracting(UsageResult::status)
                .containsOnly(posted ? UsageResult.Status.DEBITED : UsageResult.Status.INSUFFICIENT_TOKENS);
    }

    /** {@code tokens} in {@code count} positive parts (fewer when there are too few tokens). */
    private static List<Long> split(long tokens, int count) {
        int parts = (int) Math.min(count, tokens);
        long each = tokens / parts;
        return LongStream.range(0, parts)
                .map(i -> i == parts - 1 ? tokens - each * (parts - 1) : each)
                .boxed()
                .toList();
    }

    private static boolean debited(LedgerService ledger, UserId user, long tokens, String key) {
        try {
            ledger.debit(Debit.of(user, tokens, IdempotencyKey.of(key)).withDescription("prop"));
            return true;
        } catch (InsufficientTokensException refused) {
            return false;
        }
    }

    private static Optional<Holds> reserve(UserId one, UserId batched, Op op, String key) {
        Duration lasts = Duration.ofMinutes(1 + op.pick());
        Optional<Reservation> first = held(ReservationRequest.of(one, op.amount(), lasts, IdempotencyKey.of(key)));
        Optional<Reservation> second = held(ReservationRequest.of(batched, op.amount(), lasts, IdempotencyKey.of(key)));
        assertThat(second.isPresent()).as("a hold is made for both users alike").isEqualTo(first.isPresent());
        return first.map(hold -> new Holds(hold, second.orElseThrow()));
    }

    private static Optional<Reservation> held(ReservationRequest request) {
        try {
            return Optional.of(fixture.service.reservations().reserve(request));
        } catch (InsufficientTokensException refused) {
            return Optional.empty();
        }
    }

    /** Settles the oldest hold of both users (a lapsed one is refused for both alike). */
    private static void settle(List<Holds> holds, Op op) {
        if (holds.isEmpty()) {
            return;
        }
        Holds pair = holds.remove(0);
        long actual = Math.min(op.amount(), pair.one().amount());
        assertThat(settled(pair.batched(), actual))
                .as("a settlement posts for both users alike")
                .isEqualTo(settled(pair.one(), actual));
    }

    private static boolean settled(Reservation hold, long actual) {
        try {
            fixture.service.reservations().settle(hold.userId(), hold.id(), actual);
            return true;
        } catch (RuntimeException refused) {
            return false;
        }
    }

    /** Voids the first open grant lot of each user: the same lot, as their lots are the same. */
    private static void voidFirstGrant(LedgerService ledger, UserId one, UserId batched) {
        Optional<Long> voidedOne = firstGrant(ledger, one)
                .map(lot -> ledger.voidGrant(one, lot, "prop").tokensVoided());
        Optional<Long> voidedBatched = firstGrant(ledger, batched)
                .map(lot -> ledger.voidGrant(batched, lot, "prop").tokensVoided());
        assertThat(voidedBatched).as("tokens voided").isEqualTo(voidedOne);
    }

    private static Optional<Long> firstGrant(LedgerService ledger, UserId user) {
        return ledger.lots(user).stream()
                .filter(lot -> lot.source().equals("grant"))
                .map(TokenLot::id)
                .findFirst();
    }

    /** Runs expiry until nothing is left to expire, so that both users' lapsed lots are closed. */
    private static void expireAll() {
        for (int run = 0; run < 50; run++) {
            ExpiryReport report = fixture.service.operations().expire(EXPIRY_LIMIT);
            if (report.lotsExpired() < EXPIRY_LIMIT && report.reservationsReleased() < EXPIRY_LIMIT) {
                return;
            }
        }
    }

    /** What two users' lots must share: everything but their ids, entries and closing instants. */
    private static List<String> comparable(List<TokenLot> lots) {
        return lots.stream()
                .map(lot -> lot.source() + " " + lot.amount() + " left " + lot.remaining() + " priority "
                        + lot.priority() + " expires "
                        + lot.expiresAt().map(Instant::toString).orElse("never")
                        + " " + lot.closedReason().orElse(lot.closedAt().isPresent() ? "closed" : "open"))
                .toList();
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
}
