package dev.tokenbilling.benchmarks.ledger;

import dev.tokenbilling.benchmarks.Operation;
import dev.tokenbilling.model.Debit;
import dev.tokenbilling.model.IdempotencyKey;
import dev.tokenbilling.service.LedgerService;
import dev.tokenbilling.service.TokenBillingService;

/** One {@link LedgerService#debit} per call, through the library's own pooled access. */
final class ConsumeDebit implements Operation {

    private final TokenBillingService service;
    private final LedgerCase ledgerCase;
    private final DebitKeys keys;

    private ConsumeDebit(TokenBillingService service, LedgerCase ledgerCase, DebitKeys keys) {
        this.service = service;
        this.ledgerCase = ledgerCase;
        this.keys = keys;
    }

    static Operation.Factory factory(TokenBillingService service, LedgerCase ledgerCase, String runName) {
        return threadIndex -> new ConsumeDebit(service, ledgerCase, new DebitKeys(runName, threadIndex));
    }

    @Override
    public int runOnce() {
        service.ledger()
                .debit(Debit.of(ledgerCase.pick(), LedgerBenchmark.DEBIT_TOKENS, IdempotencyKey.of(keys.next()))
                        .withDescription(LedgerBenchmark.DESCRIPTION));
        return 1;
    }
}
