package dev.tokenbilling.benchmarks.ledger;

import dev.tokenbilling.benchmarks.Operation;
import dev.tokenbilling.model.Debit;
import dev.tokenbilling.model.IdempotencyKey;
import dev.tokenbilling.model.UsageResult;
import dev.tokenbilling.service.LedgerService;
import dev.tokenbilling.service.TokenBillingService;
import java.util.ArrayList;
import java.util.List;

/**
 * One {@link LedgerService#debitAll} of {@code size} debits per call; counts the items
 * actually debited, so its figure is debits per second, comparable with the baseline's ops per second.
 */
final class BatchDebit implements Operation {

    private final TokenBillingService service;
    private final LedgerCase ledgerCase;
    private final DebitKeys keys;
    private final int size;

    private BatchDebit(TokenBillingService service, LedgerCase ledgerCase, DebitKeys keys, int size) {
        this.service = service;
        this.ledgerCase = ledgerCase;
        this.keys = keys;
        this.size = size;
    }

    static Operation.Factory factory(TokenBillingService service, LedgerCase ledgerCase, String runName, int size) {
        return threadIndex -> new BatchDebit(service, ledgerCase, new DebitKeys(runName, threadIndex), size);
    }

    @Override
    public int runOnce() {
        List<Debit> debits = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            debits.add(Debit.of(ledgerCase.pick(), LedgerBenchmark.DEBIT_TOKENS, IdempotencyKey.of(keys.next()))
                    .withDescription(LedgerBenchmark.DESCRIPTION));
        }
        int debited = 0;
        for (UsageResult result : service.ledger().debitAll(debits)) {
            if (result.debited()) {
                debited++;
            }
        }
        return debited;
    }
}
