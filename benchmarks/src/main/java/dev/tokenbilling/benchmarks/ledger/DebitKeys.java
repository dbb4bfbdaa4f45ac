package dev.tokenbilling.benchmarks.ledger;

/**
 * Unique idempotency keys for one worker thread: {@code <case>-<operation>-<phase>-<thread>-<n>}.
 * Not thread-safe; each worker owns one.
 */
final class DebitKeys {

    private final String prefix;
    private long next;

    DebitKeys(String runName, int threadIndex) {
        this.prefix = runName + "-" + threadIndex + "-";
    }

    String next() {
        return prefix + next++;
    }
}
