package dev.tokenbilling.benchmarks.ledger;

import dev.tokenbilling.benchmarks.Operation;
import dev.tokenbilling.model.IdempotencyKey;
import dev.tokenbilling.model.Reservation;
import dev.tokenbilling.model.ReservationRequest;
import dev.tokenbilling.service.TokenBillingService;
import java.time.Duration;

/**
 * One {@code reserve} of {@value #HOLD_TOKENS} tokens and its {@code settle} for
 * {@link LedgerBenchmark#DEBIT_TOKENS} per call: the metered-usage pattern of an AI request (hold the
 * most it can cost, debit what it did cost). One pair is one operation; the settle is a usage debit
 * that draws from lots like {@code debit}.
 */
final class ReserveSettle implements Operation {

    static final long HOLD_TOKENS = 20;
    static final Duration TTL = Duration.ofMinutes(10);

    private final TokenBillingService service;
    private final LedgerCase ledgerCase;
    private final DebitKeys keys;

    private ReserveSettle(TokenBillingService service, LedgerCase ledgerCase, DebitKeys keys) {
        this.service = service;
        this.ledgerCase = ledgerCase;
        this.keys = keys;
    }

    static Operation.Factory factory(TokenBillingService service, LedgerCase ledgerCase, String runName) {
        return threadIndex -> new ReserveSettle(service, ledgerCase, new DebitKeys(runName, threadIndex));
    }

    @Override
    public int runOnce() {
        Reservation hold = service.reservations()
                .reserve(ReservationRequest.of(ledgerCase.pick(), HOLD_TOKENS, TTL, IdempotencyKey.of(keys.next()))
                        .withDescription(LedgerBenchmark.DESCRIPTION));
        service.reservations().settle(hold.userId(), hold.id(), LedgerBenchmark.DEBIT_TOKENS);
        return 1;
    }
}
