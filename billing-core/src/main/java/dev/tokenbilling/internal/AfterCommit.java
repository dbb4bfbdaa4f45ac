package dev.tokenbilling.internal;

import dev.tokenbilling.hook.BillingListener;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notifications gathered while a transaction runs and sent to the listeners only once it committed,
 * so a listener never hears of a change that was rolled back.
 */
public final class AfterCommit {

    private static final Logger LOG = LoggerFactory.getLogger(AfterCommit.class);

    private final List<Consumer<BillingListener>> notifications = new ArrayList<>();

    public void add(Consumer<BillingListener> notification) {
        notifications.add(notification);
    }

    /** Takes over what {@code other} gathered (work that succeeded inside a larger transaction). */
    public void addAll(AfterCommit other) {
        notifications.addAll(other.notifications);
    }

    /** Sends what was gathered; a failing listener is logged and skipped. */
    public void fire(List<BillingListener> listeners) {
        for (Consumer<BillingListener> notification : notifications) {
            notifyAll(listeners, notification);
        }
        notifications.clear();
    }

    /** Sends one notification now (for changes that committed on their own). */
    public static void notifyAll(List<BillingListener> listeners, Consumer<BillingListener> notification) {
        for (BillingListener listener : listeners) {
            try {
                notification.accept(listener);
            } catch (RuntimeException e) {
                LOG.warn("Billing listener {} failed: {}", listener.getClass().getName(), e.toString());
            }
        }
    }
}
