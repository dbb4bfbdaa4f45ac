package dev.tokenbilling;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenbilling.error.IdempotencyConflictException;
import dev.tokenbilling.error.InsufficientTokensException;
import dev.tokenbilling.model.Debit;
import dev.tokenbilling.model.Grant;
import dev.tokenbilling.model.IdempotencyKey;
import dev.tokenbilling.model.LedgerReceipt;
import dev.tokenbilling.model.Purchase;
import dev.tokenbilling.model.UsageReceipt;
import dev.tokenbilling.model.UsageResult;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.service.TokenBillingService;
import dev.tokenbilling.support.BillingFixture;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Eight threads hammer a few users with credits, purchases, consumes and batches whose
 * idempotency keys collide on purpose. Afterwards every token must be accounted for exactly, and
 * work must really have happened: enough grants, debits, purchases, replays and conflicts (counted
 * here), so a run where everything is refused fails.
 */
class LedgerConcurrencyTest {

    private static final int THREADS = 8;
    private static final int OPERATIONS_PER_THREAD = 1_500;
    private static final List<UserId> USERS = List.of(UserId.of("c-1"), UserId.of("c-2"), UserId.of("c-3"));

    private final BillingFixture fixture = BillingFixture.create(LedgerConcurrencyTest.class);
    private final TokenBillingService service = fixture.service;
    /** Net tokens each user gained, from the receipts of operations that really moved tokens. */
    private final Map<UserId, AtomicLong> expected = new ConcurrentHashMap<>();
    /** Every key that moved tokens, with how many times it did: must end at exactly 1 each. */
    private final Map<String, AtomicLong> moves = new ConcurrentHashMap<>();

    private final List<Purchase> created = java.util.Collections.synchronizedList(new ArrayList<>());
    /** Outcomes by kind, counted so that a run where everything is refused (or nothing collides) fails. */
    private final Map<String, AtomicLong> outcomes = new ConcurrentHashMap<>();

    @Test
    void shouldAccountForEveryTokenUnderConcurrentMixedLoad() throws Exception {
        fixture.seed();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                long seed = 1000 + t;
                workers.add(pool.submit(() -> work(new SplittableRandom(seed))));
            }
            for (Future<?> worker : workers) {
                worker.get();
            }
        } finally {
            pool.shutdownNow();
        }

        // A run where (nearly) everything is refused, or no key collides, would pass the accounting: check neither
        // happened.
        long operations = (long) THREADS * OPERATIONS_PER_THREAD;
        assertThat(counted("grants"))
                .as("grants credited; all outcomes: %s", outcomes)
                .isGreaterThanOrEqualTo(operations / 20);
        assertThat(counted("debits"))
                .as("consumes debited; all outcomes: %s", outcomes)
                .isGreaterThanOrEqualTo(operations / 20);
        assertThat(counted("batch DEBITED"))
                .as("batch items debited; all outcomes: %s", outcomes)
                .isGreaterThanOrEqualTo(operations / 10);
        assertThat(counted("replayed grants"))
                .as("grants replayed; all outcomes: %s", outcomes)
                .isGreaterThanOrEqualTo(operations / 20);
        assertThat(counted("conflicts") + counted("batch REJECTED"))
                .as("idempotency conflicts; all outcomes: %s", outcomes)
                .isGreaterThanOrEqualTo(operations / 100);

        fixture.assertLedgerInvariants();
        for (UserId user : USERS) {
            assertThat(service.ledger().balance(user).balance())
                    .as("balance of %s", user)
                    .isEqualTo(expected.getOrDefault(user, new AtomicLong()).get())
                    .isGreaterThanOrEqualTo(0);
        }
        assertThat(moves)
                .allSatisfy((key, count) -> assertThat(count.get()).as(key).isEqualTo(1));
        long completed = created.stream()
                .filter(p -> service.purchases()
                        .find(p.userId(), p.id())
                        .orElseThrow()
                        .status()
                        .credited())
                .count();
        assertThat(completed).isGreaterThan(0);
    }

    private void work(SplittableRandom random) {
        for (int i = 0; i < OPERATIONS_PER_THREAD; i++) {
            UserId user = USERS.get(random.nextInt(USERS.size()));
            // Keys come from small pools shared by all threads, so repeats race each other.
            int roll = random.nextInt(100);
            try {
                if (roll < 20) {
                    String key = "grant-" + random.nextInt(400);
                    LedgerReceipt receipt =
                            service.ledger().grant(Grant.of(user, 1_000, IdempotencyKey.of(key), "load"));
                    count(receipt.replayed() ? "replayed grants" : "grants");
                    record(user, key, receipt.replayed(), receipt.entry().amount());
                } else if (roll < 30) {
                    completePurchase(random, user);
                } else if (roll < 85) {
                    String key = "use-" + random.nextInt(3_000);
                    UsageReceipt receipt = service.ledger()
                            .debit(Debit.of(user, 1 + random.nextInt(900), IdempotencyKey.of(key))
                                    .withDescription("load"));
                    count(receipt.replayed() ? "replayed debits" : "debits");
                    record(user, key, receipt.replayed(), receipt.entry().amount());
                } else {
                    consumeBatch(random, user);
                }
            } catch (InsufficientTokensException expectedRefusal) {
                // Refusals change nothing, which the final accounting checks.
                count("insufficient");
            } catch (IdempotencyConflictException expectedRefusal) {
                count("conflicts");
            }
        }
    }

    private void completePurchase(SplittableRandom random, UserId user) {
        if (created.isEmpty() || random.nextBoolean()) {
            created.add(fixture.pendingPurchase(user.value(), "starter-100k"));
        }
        Purchase target = created.get(random.nextInt(created.size()));
        if (fixture.complete(target)) {
            count("purchases completed");
            record(target.userId(), "purchase-" + target.id(), false, target.tokenAmount());
        }
    }

    private void consumeBatch(SplittableRandom random, UserId user) {
        List<Debit> batch = new ArrayList<>();
        // Batches span users in random order, so concurrent batches would deadlock without a lock order.
        for (int b = 0; b < 20; b++) {
            UserId itemUser = b == 0 ? user : USERS.get(random.nextInt(USERS.size()));
            batch.add(new Debit(
                    itemUser, 1 + random.nextInt(300), IdempotencyKey.of("use-" + random.nextInt(3_000)), "batch"));
        }
        for (UsageResult result : service.ledger().debitAll(batch)) {
            count("batch " + result.status());
            if (result.status() == UsageResult.Status.DEBITED) {
                UsageReceipt receipt = result.receipt().orElseThrow();
                record(
                        result.request().userId(),
                        result.request().key().value(),
                        false,
                        receipt.entry().amount());
            }
        }
    }

    private void record(UserId user, String key, boolean replayed, long amount) {
        if (replayed) {
            return;
        }
        expected.computeIfAbsent(user, u -> new AtomicLong()).addAndGet(amount);
        moves.computeIfAbsent(user.value() + "/" + key, k -> new AtomicLong()).incrementAndGet();
    }

    private void count(String outcome) {
        outcomes.computeIfAbsent(outcome, k -> new AtomicLong()).incrementAndGet();
    }

    private long counted(String outcome) {
        return outcomes.getOrDefault(outcome, new AtomicLong()).get();
    }
}
