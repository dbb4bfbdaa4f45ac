package dev.tokenbilling.benchmarks.ledger;

import dev.tokenbilling.model.UserId;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.IntStream;

/**
 * Who the debits of a case go to: {@code key} names it in the output and the JSON.
 *
 * @param users the funded users; each debit picks one uniformly at random
 */
public record LedgerCase(String key, String label, List<UserId> users) {

    /** {@code consumeBatch} must reach this multiple of the baseline for many users: a batch is one commit. */
    public static final double MANY_USERS_BATCH_TARGET = 10.0;
    /** ... and this for the hot user, whose debits all queue on one row lock. */
    public static final double HOT_USER_BATCH_TARGET = 20.0;

    public LedgerCase {
        users = List.copyOf(users);
    }

    /** Debits spread over {@code count} users: little contention, many rows and index pages touched. */
    public static LedgerCase manyUsers(int count) {
        return new LedgerCase(
                "users_" + count,
                count + " users, a random one per debit",
                IntStream.range(0, count)
                        .mapToObj(i -> UserId.of("bench-user-" + i))
                        .toList());
    }

    /** Every thread debits the same user: all debits serialise on one balance row's lock. */
    public static LedgerCase hotUser() {
        return new LedgerCase("hot_user", "1 hot user, every thread debits it", List.of(UserId.of("bench-hot-user")));
    }

    /** The multiple of the baseline {@code consumeBatch} must reach in this case. */
    public double batchTarget() {
        return users.size() == 1 ? HOT_USER_BATCH_TARGET : MANY_USERS_BATCH_TARGET;
    }

    public UserId pick() {
        return users.size() == 1
                ? users.get(0)
                : users.get(ThreadLocalRandom.current().nextInt(users.size()));
    }
}
