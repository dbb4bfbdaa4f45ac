package dev.tokenbilling.internal.outbox;

import dev.tokenbilling.hook.BillingEventListener;
import dev.tokenbilling.model.BillingEvent;
import dev.tokenbilling.model.DeliveryReport;
import dev.tokenbilling.store.BillingStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers due outbox events to the host's listeners: leases each user's oldest pending event,
 * calls every listener, and marks it delivered, or failed with a growing pause when any listener
 * threw. Rounds repeat until nothing is due or {@code limit} events were leased, so a user's later
 * events follow in order within one call. Safe on many processes at once (leases).
 */
public final class EventDelivery {

    private static final Logger LOG = LoggerFactory.getLogger(EventDelivery.class);
    /** How long a leased event waits before another process may take it (its deliverer died). */
    static final Duration LEASE = Duration.ofMinutes(1);

    private static final Duration LONGEST_PAUSE = Duration.ofHours(1);

    private final BillingStore store;
    private final List<BillingEventListener> listeners;
    private final Clock clock;

    public EventDelivery(BillingStore store, List<BillingEventListener> listeners, Clock clock) {
        this.store = store;
        this.listeners = List.copyOf(listeners);
        this.clock = clock;
    }

    public DeliveryReport deliverDue(int limit) {
        int leased = 0;
        int delivered = 0;
        int failed = 0;
        while (leased < limit) {
            Instant now = clock.instant();
            List<BillingEvent> due = store.outbox().leaseDue(now, now.plus(LEASE), limit - leased);
            if (due.isEmpty()) {
                break;
            }
            leased += due.size();
            for (BillingEvent event : due) {
                if (deliver(event)) {
                    delivered++;
                } else {
                    failed++;
                }
            }
        }
        return new DeliveryReport(leased, delivered, failed);
    }

    private boolean deliver(BillingEvent event) {
        try {
            for (BillingEventListener listener : listeners) {
                listener.onEvent(event);
            }
        } catch (Exception | LinkageError e) {
            Duration pause = pause(event.attempts());
            LOG.warn(
                    "billing event {} ({}) of user {} not delivered (attempt {}), retried in {}: {}",
                    event.id(),
                    event.type(),
                    event.userId(),
                    event.attempts(),
                    pause,
                    e.toString());
            store.outbox()
                    .markFailed(
                            event.userId(),
                            event.id(),
                            describe(e),
                            clock.instant().plus(pause));
            return false;
        }
        store.outbox().markDelivered(event.userId(), event.id(), clock.instant());
        return true;
    }

    /** 2, 4, 8... seconds after the n-th attempt, at most an hour. */
    static Duration pause(int attempts) {
        long seconds = 1L << Math.min(Math.max(attempts, 1), 12);
        Duration pause = Duration.ofSeconds(seconds);
        return pause.compareTo(LONGEST_PAUSE) > 0 ? LONGEST_PAUSE : pause;
    }

    private static String describe(Throwable e) {
        String text = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        return text.length() > 500 ? text.substring(0, 500) : text;
    }
}
