package dev.tokenbilling.benchmarks.webhooks;

import dev.tokenbilling.benchmarks.Operation;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The signed deliveries of one run, shared by its threads: each event is taken once, and when all
 * are taken the run ends ({@link Operation.Exhausted}); a cycling pool (duplicate deliveries) starts
 * over instead.
 */
final class EventPool {

    private final List<SignedEvent> events;
    private final boolean cycle;
    private final AtomicInteger next = new AtomicInteger();

    private EventPool(List<SignedEvent> events, boolean cycle) {
        if (events.isEmpty()) {
            throw new IllegalArgumentException("an event pool needs events");
        }
        this.events = List.copyOf(events);
        this.cycle = cycle;
    }

    /** Each event once: first deliveries. */
    static EventPool once(List<SignedEvent> events) {
        return new EventPool(events, false);
    }

    /** The events over and over: redeliveries of events already processed. */
    static EventPool cycling(List<SignedEvent> events) {
        return new EventPool(events, true);
    }

    SignedEvent take() throws Operation.Exhausted {
        int index = next.getAndIncrement();
        if (index >= events.size()) {
            if (!cycle) {
                throw new Operation.Exhausted();
            }
            index %= events.size();
        }
        return events.get(index);
    }

    int size() {
        return events.size();
    }

    /** The events taken so far (in order, at most all of them): the ones the run delivered. */
    List<SignedEvent> taken() {
        return events.subList(0, Math.min(next.get(), events.size()));
    }

    /** True when a once-only pool ran out before the run's time was up. */
    boolean ranOut() {
        return !cycle && next.get() > events.size();
    }
}
