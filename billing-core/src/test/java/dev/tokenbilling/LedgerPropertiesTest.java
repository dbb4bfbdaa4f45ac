package dev.tokenbilling;

import dev.tokenbilling.error.IdempotencyConflictException;
import dev.tokenbilling.error.InsufficientTokensException;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenbilling.model.TokenBalance;
import dev.tokenbilling.model.UsageReceipt;
import dev.tokenbilling.model.UsageRequest;
import dev.tokenbilling.model.UsageResult;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.support.BillingFixture;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Random sequences of grants, consumes, adjustments and batches against a simple in-memory model:
 * the store must agree with the model after every step, and the ledger invariants must hold.
 */
class LedgerPropertiesTest {

    private static BillingFixture fixture;
    private static int run;

    sealed interface Op permits Grant, Consume, Adjust, Batch {
    }

    record Grant(int user, long tokens, int key) implements Op {
    }

    record Consume(int user, long tokens, int key) implements Op {
    }

    record Adjust(int user, long tokens, int key) implements Op {
    }

    record Batch(List<Consume> items) implements Op {
    }

    @BeforeContainer
    static void migrate() {
        fixture = BillingFixture.create(LedgerPropertiesTest.class);
    }

    @Property(tries = 60)
    void shouldMatchModelForAnySequence(@ForAll("sequences") List<Op> ops) {
        String prefix = "p" + (++run) + "-";
        Model model = new Model();
        TokenBillingService service = fixture.service;
        for (Op op : ops) {
            if (op instanceof Grant grant) {
                boolean fresh = model.useKey(grant.user(), "g" + grant.key(), grant.tokens(), "grant");
                try {
                    boolean replayed = service.grant(user(prefix, grant.user()), grant.tokens(), "prop", "g" + grant.key()).replayed();
                    assertThat(replayed).isEqualTo(!fresh);
                    if (fresh) {
                        model.add(grant.user(), grant.tokens());
                    }
                } catch (IdempotencyConflictException e) {
                    assertThat(model.conflicts(grant.user(), "g" + grant.key(), grant.tokens(), "grant")).isTrue();
                }
            } else if (op instanceof Consume consume) {
                applyConsume(service, prefix, model, consume);
            } else if (op instanceof Adjust adjust) {
                String key = "a" + adjust.key();
                if (model.hasKey(adjust.user(), key)) {
                    continue;
                }
                if (adjust.tokens() < 0 && model.balance(adjust.user()) < -adjust.tokens()) {
                    continue;
                }
                service.adjust(user(prefix, adjust.user()), adjust.tokens(), "prop", key);
                model.useKey(adjust.user(), key, adjust.tokens(), "adjust");
                model.add(adjust.user(), adjust.tokens());
            } else if (op instanceof Batch batch) {
                List<UsageRequest> requests = batch.items().stream()
                        .map(c -> new UsageRequest(user(prefix, c.user()), c.tokens(), "u" + c.key(), "batch")).toList();
                List<UsageResult> results = service.consumeBatch(requests);
                for (int i = 0; i < results.size(); i++) {
                    Consume c = batch.items().get(i);
                    UsageResult.Status expected = model.expectConsume(c.user(), "u" + c.key(), c.tokens());
                    assertThat(results.get(i).status()).as("batch item %s", c).isEqualTo(expected);
                }
            }
            for (int u = 0; u < 3; u++) {
                TokenBalance balance = service.balance(user(prefix, u));
                assertThat(balance.balance()).isEqualTo(model.balance(u)).isGreaterThanOrEqualTo(0);
            }
        }
        fixture.assertLedgerInvariants();
    }

    private static void applyConsume(TokenBillingService service, String prefix, Model model, Consume consume) {
        UsageResult.Status expected = model.expectConsume(consume.user(), "u" + consume.key(), consume.tokens());
        try {
            UsageReceipt receipt = service.consume(user(prefix, consume.user()), consume.tokens(), "u" + consume.key(), "prop");
            assertThat(receipt.replayed() ? UsageResult.Status.REPLAYED : UsageResult.Status.DEBITED).isEqualTo(expected);
        } catch (InsufficientTokensException e) {
            assertThat(expected).isEqualTo(UsageResult.Status.INSUFFICIENT_TOKENS);
        } catch (IdempotencyConflictException e) {
            assertThat(expected).isEqualTo(UsageResult.Status.REJECTED);
        }
    }

    private static UserId user(String prefix, int user) {
        return UserId.of(prefix + user);
    }

    @Provide
    Arbitrary<List<Op>> sequences() {
        Arbitrary<Integer> users = Arbitraries.integers().between(0, 2);
        Arbitrary<Integer> keys = Arbitraries.integers().between(0, 15);
        Arbitrary<Long> tokens = Arbitraries.longs().between(1, 5_000);
        Arbitrary<Consume> consume = net.jqwik.api.Combinators.combine(users, tokens, keys).as(Consume::new);
        Arbitrary<Op> op = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, net.jqwik.api.Combinators.combine(users, tokens, keys).as(Grant::new)),
                net.jqwik.api.Tuple.of(5, consume),
                net.jqwik.api.Tuple.of(1, net.jqwik.api.Combinators.combine(users,
                        Arbitraries.longs().between(-3_000, 3_000).filter(t -> t != 0), keys).as(Adjust::new)),
                net.jqwik.api.Tuple.of(1, consume.list().ofMinSize(1).ofMaxSize(8).map(Batch::new)));
        return op.list().ofMaxSize(30);
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
