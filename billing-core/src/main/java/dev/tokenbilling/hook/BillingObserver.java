package dev.tokenbilling.hook;

/**
 * Observes the library's operations as they run (a span and a timer each, in a tracing or metrics
 * system): purchases started and canceled, debits, batches, grants, adjustments, holds, webhook
 * deliveries and reconciler runs. The Spring Boot starter plugs in Micrometer's Observation API;
 * core depends on nothing. Tags are low-cardinality by design: never a user, event or purchase id.
 */
public interface BillingObserver {

    /** Observes nothing. */
    BillingObserver NONE = name -> Operation.NONE;

    /**
     * Starts observing the operation {@code name} (such as {@code billing.ledger.debit}) on the calling
     * thread; the library closes what it returns when the operation ends, on the same thread.
     */
    Operation start(String name);

    /** One observed operation. */
    interface Operation extends AutoCloseable {

        /** Does nothing. */
        Operation NONE = new Operation() {
            @Override
            public void tag(String key, String value) {}

            @Override
            public void failed(Throwable error) {}

            @Override
            public void close() {}
        };

        /** A low-cardinality tag, such as {@code outcome=posted}. */
        void tag(String key, String value);

        /** The operation ended with {@code error}. */
        void failed(Throwable error);

        /** The operation ended. */
        @Override
        void close();
    }
}
