package dev.tokenbilling.boot.observation;

import dev.tokenbilling.hook.BillingObserver;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;

/**
 * The library's operations as Micrometer observations: with Spring Boot's actuator each becomes a
 * timer ({@code billing.ledger.debit}, {@code billing.webhook.handle}, ...) tagged with its low-cardinality
 * {@code outcome} (and {@code error} code), and with a tracer (Micrometer Tracing) a span, whose scope
 * is open while the operation runs so that the database spans beneath it join the same trace.
 */
public final class MicrometerBillingObserver implements BillingObserver {

    private final ObservationRegistry registry;

    public MicrometerBillingObserver(ObservationRegistry registry) {
        this.registry = registry;
    }

    @Override
    public Operation start(String name) {
        if (registry.isNoop()) {
            return Operation.NONE;
        }
        Observation observation = Observation.start(name, registry);
        Observation.Scope scope = observation.openScope();
        return new Operation() {
            @Override
            public void tag(String key, String value) {
                observation.lowCardinalityKeyValue(key, value);
            }

            @Override
            public void failed(Throwable error) {
                observation.error(error);
            }

            @Override
            public void close() {
                scope.close();
                observation.stop();
            }
        };
    }
}
