package dev.tokenbilling.benchmarks.ledger;

import dev.tokenbilling.model.Grant;
import dev.tokenbilling.model.IdempotencyKey;
import dev.tokenbilling.model.LotTerms;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.service.TokenBillingService;
import java.time.Duration;
import java.time.Instant;
import java.util.SplittableRandom;

/**
 * How the users of the {@code lots} benchmark are funded, the same for every run's users: user
 * {@code i} holds {@code 1 + i mod 5} lots. All but the last are small grants of 21 to 91 tokens with
 * priorities -1, 0 or 1, every other one expiring in 30 to 330 days; the last is a large grant
 * ({@link LedgerFixture#FUNDING}) with priority {@value #BACKSTOP_PRIORITY}, drawn after all the others,
 * so no debit of the run is ever refused.
 *
 * <p>Every small lot holds 1 more than a multiple of 10 tokens, so with 10-token debits the lots
 * drawn before the large one always end inside a debit: the debit that empties a small lot also
 * draws from the next one (it spans a lot boundary), and no lot is ever emptied exactly. A user with
 * k lots therefore sees k - 1 spanning debits, one every 2 to 9 debits, until its small lots are spent.
 */
final class LotLayout {

    static final int MAX_LOTS = 5;
    static final int BACKSTOP_PRIORITY = 100;
    private static final long SEED = 0x10751L;

    private final Instant now;

    LotLayout(Instant now) {
        this.now = now;
    }

    static int lots(int index) {
        return 1 + index % MAX_LOTS;
    }

    /** 21, 31, ... or 91 tokens: never a multiple of the 10-token debit, and the same for user i in every run. */
    static long smallLotTokens(int index, int lot) {
        return 21 + 10L * new SplittableRandom(SEED + 8L * index + lot).nextInt(8);
    }

    LotTerms smallLotTerms(int index, int lot) {
        int priority = (index + lot) % 3 - 1;
        if ((index + lot) % 2 == 0) {
            return LotTerms.expiringAt(now.plus(Duration.ofDays(30 + (7L * index + 13L * lot) % 300)))
                    .withPriority(priority);
        }
        return LotTerms.DEFAULT.withPriority(priority);
    }

    /** Grants user {@code index}'s lots: the small ones first, then the large one. */
    void fund(TokenBillingService service, UserId user, int index) {
        for (int lot = 0; lot < lots(index) - 1; lot++) {
            service.ledger()
                    .grant(Grant.of(
                                    user,
                                    smallLotTokens(index, lot),
                                    IdempotencyKey.of("bench-lot-" + lot),
                                    "benchmark lot " + lot)
                            .withTerms(smallLotTerms(index, lot)));
        }
        service.ledger()
                .grant(Grant.of(user, LedgerFixture.FUNDING, IdempotencyKey.of("bench-funding"), "benchmark funding")
                        .withTerms(LotTerms.DEFAULT.withPriority(BACKSTOP_PRIORITY)));
    }

    /** How many grants funding {@code users} users takes: 3 per user on average. */
    static long grants(int users) {
        long grants = 0;
        for (int i = 0; i < users; i++) {
            grants += lots(i);
        }
        return grants;
    }
}
