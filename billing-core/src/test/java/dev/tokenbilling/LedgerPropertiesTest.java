package dev.tokenbilling;

import static dev.tokenbilling.support.TestSeed.between;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenbilling.error.IdempotencyConflictException;
import dev.tokenbilling.error.InsufficientTokensException;
import dev.tokenbilling.model.Adjustment;
import dev.tokenbilling.model.Debit;
import dev.tokenbilling.model.IdempotencyKey;
import dev.tokenbilling.model.LedgerReceipt;
import dev.tokenbilling.model.TokenBalance;
import dev.tokenbilling.model.UsageReceipt;
import dev.tokenbilling.model.UsageResult;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.service.TokenBillingService;
import dev.tokenbilling.support.BillingFixture;
import dev.tokenbilling.support.TestSeed;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;

/**
 * Random sequences of grants, consumes, adjustments and batches against a simple in-memory model:
 * the store must agree with the model after every step (replays, idempotency conflicts, refusals,
 * each batch item's status, every user's balance, never below zero), and the ledger invariants must
 * hold at the end. Each case is a seeded random sequence; {@code -Dbilling.test.seed} repeats a run.
 */
class LedgerPropertiesTest {

    private static final int CASES = 60;
    private static final int MAX_OPERATIONS = 30;
    private static final int USERS = 3;
    private static final int KEYS = 16;
    private static final long MAX_TOKENS = 5_000;
    private static final long MAX_ADJUSTMENT = 3_000;
    private static final int MAX_BATCH = 8;

    private static TestSeed seed;
    private static BillingFixture fixture;

    /** The step of the current case being run, for the failure message. */
    private int step;

    sealed interface Op permits Grant, Consume, Adjust, Batch {}

    record Grant(int user, long tokens, int key) implements Op {}

    record Consume(int user, long tokens, int key) implements Op {}

    record Adjust(int user, long tokens, int key) implements Op {}

    record Batch(List<Consume> items) implements Op {}

    @BeforeAll
    static void migrate() {
        seed = TestSeed.of(LedgerPropertiesTest.class);
        fixture = BillingFixture.create(LedgerPropertiesTest.class);
    }

    @RepeatedTest(value = CASES, name = "case {currentRepetition} of {totalRepetitions}")
    void shouldMatchModelForAnySequence(RepetitionInfo repetition) {
        int caseNumber = repetition.getCurrentRepetition();
        List<Op> ops = sequence(seed.random(caseNumber));
        seed.check(caseNumber, () -> progress(ops), () -> run("p" + caseNumber + "-", ops));
    }

    /** Where the case failed, and all its operations. */
    private String progress(List<Op> ops) {
        String failing = step < ops.size()
                ? "failing step " + (step + 1) + " of " + ops.size() + ": " + ops.get(step)
                : "final ledger audit";
        return failing + System.lineSeparator() + "  operations: " + ops;
    }

    private void run(String prefix, List<Op> ops) {
        Model model = new Model();
        TokenBillingService service = fixture.service;
        for (step = 0; step < ops.size(); step++) {
            Op op = ops.get(step);
            if (op instanceof Grant grant) {
                applyGrant(service, prefix, model, grant);
            } else if (op instanceof Consume consume) {
                applyConsume(service, prefix, model, consume);
            } else if (op instanceof Adjust adjust) {
                applyAdjust(service, prefix, model, adjust);
            } else if (op instanceof Batch batch) {
                List<Debit> requests = batch.items().stream()
                        .map(c -> new Debit(
                                user(prefix, c.user()), c.tokens(), IdempotencyKey.of("u" + c.key()), "batch"))
                        .toList();
                List<UsageResult> results = service.ledger().debitAll(requests);
                assertThat(results).as("one result per batch item").hasSize(requests.size());
                for (int i = 0; i < results.size(); i++) {
                    Consume c = batch.items().get(i);
                    UsageResult.Status expected = model.expectConsume(c.user(), "u" + c.key(), c.tokens());
                    assertThat(results.get(i).status()).as("batch item %s", c).isEqualTo(expected);
                }
            }
            for (int u = 0; u < USERS; u++) {
                TokenBalance balance = service.ledger().balance(user(prefix, u));
                assertThat(balance.balance())
                        .as("balance of user %s", u)
                        .isEqualTo(model.balance(u))
                        .isGreaterThanOrEqualTo(0);
            }
        }
        fixture.assertLedgerInvariants();
    }

    /** A first grant credits; a repeat with the same amount is a replay; a key first used otherwise is a conflict. */
    private static void applyGrant(TokenBillingService service, String prefix, Model model, Grant grant) {
        String key = "g" + grant.key();
        boolean fresh = model.useKey(grant.user(), key, grant.tokens(), "grant");
        boolean conflict = model.conflicts(grant.user(), key, grant.tokens(), "grant");
        try {
            LedgerReceipt receipt = service.ledger()
                    .grant(dev.tokenbilling.model.Grant.of(
                            user(prefix, grant.user()), grant.tokens(), IdempotencyKey.of(key), "prop"));
            assertThat(conflict)
                    .as("%s succeeded although its key was first used otherwise", grant)
                    .isFalse();
            assertThat(receipt.replayed()).as("%s replayed", grant).isEqualTo(!fresh);
            if (fresh) {
                model.add(grant.user(), grant.tokens());
            }
        } catch (IdempotencyConflictException e) {
            assertThat(conflict).as("%s refused as a conflict: %s", grant, e).isTrue();
        }
    }

    private static void applyConsume(TokenBillingService service, String prefix, Model model, Consume consume) {
        UsageResult.Status expected = model.expectConsume(consume.user(), "u" + consume.key(), consume.tokens());
        try {
            UsageReceipt receipt = service.ledger()
                    .debit(Debit.of(
                                    user(prefix, consume.user()),
                                    consume.tokens(),
                                    IdempotencyKey.of("u" + consume.key()))
                            .withDescription("prop"));
            assertThat(receipt.replayed() ? UsageResult.Status.REPLAYED : UsageResult.Status.DEBITED)
                    .as("%s", consume)
                    .isEqualTo(expected);
        } catch (InsufficientTokensException e) {
            assertThat(expected)
                    .as("%s refused for insufficient tokens", consume)
                    .isEqualTo(UsageResult.Status.INSUFFICIENT_TOKENS);
        } catch (IdempotencyConflictException e) {
            assertThat(expected).as("%s refused as a conflict", consume).isEqualTo(UsageResult.Status.REJECTED);
        }
    }

    /** Only fresh keys, and debits the balance covers: the adjustment must then simply apply. */
    private static void applyAdjust(TokenBillingService service, String prefix, Model model, Adjust adjust) {
        String key = "a" + adjust.key();
        if (model.hasKey(adjust.user(), key)) {
            return;
        }
        if (adjust.tokens() < 0 && model.balance(adjust.user()) < -adjust.tokens()) {
            return;
        }
        service.ledger()
                .adjust(Adjustment.of(user(prefix, adjust.user()), adjust.tokens(), IdempotencyKey.of(key), "prop"));
        model.useKey(adjust.user(), key, adjust.tokens(), "adjust");
        model.add(adjust.user(), adjust.tokens());
    }

    private static UserId user(String prefix, int user) {
        return UserId.of(prefix + user);
    }

    /**
     * Up to 30 operations, weighted grant 3 : consume 5 : adjust 1 : batch 1, on three users with
     * sixteen keys each so that keys repeat. Sizes and amounts favour their bounds now and then.
     */
    private static List<Op> sequence(SplittableRandom random) {
        int size = (int) between(random, 0, MAX_OPERATIONS);
        List<Op> ops = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            int roll = random.nextInt(10);
            if (roll < 3) {
                ops.add(new Grant(random.nextInt(USERS), tokens(random), random.nextInt(KEYS)));
            } else if (roll < 8) {
                ops.add(consume(random));
            } else if (roll < 9) {
                long magnitude = between(random, 1, MAX_ADJUSTMENT);
                ops.add(new Adjust(
                        random.nextInt(USERS), random.nextBoolean() ? magnitude : -magnitude, random.nextInt(KEYS)));
            } else {
                int items = (int) between(random, 1, MAX_BATCH);
                List<Consume> batch = new ArrayList<>(items);
                for (int b = 0; b < items; b++) {
                    batch.add(consume(random));
                }
                ops.add(new Batch(List.copyOf(batch)));
            }
        }
        return ops;
    }

    private static Consume consume(SplittableRandom random) {
        return new Consume(random.nextInt(USERS), tokens(random), random.nextInt(KEYS));
    }

    private static long tokens(SplittableRandom random) {
        return between(random, 1, MAX_TOKENS);
    }

    /** The obvious model: balances and the first use of each key. */
    private static final class Model {
        private final Map<Integer, Long> balances = new HashMap<>();
        private final Map<String, String> keyUses = new HashMap<>();

        long balance(int user) {
            return balances.getOrDefault(user, 0L);
        }

        void add(int user, long amount) {
            balances.merge(user, amount, Long::sum);
        }

        boolean hasKey(int user, String key) {
            return keyUses.containsKey(user + "/" + key);
        }

        /** Records the key's first use; false when it was used before. */
        boolean useKey(int user, String key, long tokens, String kind) {
            return keyUses.putIfAbsent(user + "/" + key, kind + ":" + tokens) == null;
        }

        boolean conflicts(int user, String key, long tokens, String kind) {
            String first = keyUses.get(user + "/" + key);
            return first != null && !first.equals(kind + ":" + tokens);
        }

        UsageResult.Status expectConsume(int user, String key, long tokens) {
            String first = keyUses.get(user + "/" + key);
            if (first != null) {
                return first.equals("usage:" + tokens) ? UsageResult.Status.REPLAYED : UsageResult.Status.REJECTED;
            }
            if (balance(user) < tokens) {
                return UsageResult.Status.INSUFFICIENT_TOKENS;
            }
            useKey(user, key, tokens, "usage");
            add(user, -tokens);
            return UsageResult.Status.DEBITED;
        }
    }
}
