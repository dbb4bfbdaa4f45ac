package dev.tokenbilling.testkit.stripe.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Everything FakeStripe knows, behind one lock: the objects, the events, the side tables (which card a
 * PaymentMethod is), and the settings. API handlers and test helpers run under {@link #lock()}; webhook
 * HTTP calls never do.
 */
public final class FakeStripeState {
    private final ReentrantLock lock = new ReentrantLock();
    private final ObjectStore store = new ObjectStore();
    private final Map<String, CardProfile> paymentMethodCards = new HashMap<>();
    private final Set<String> setUpPaymentMethods = new HashSet<>();
    private final Clock clock;
    private final WebhookDispatcher webhooks;
    private final EventBus events;
    private volatile String apiVersion;
    private volatile String apiBase = "";
    private volatile boolean asyncCardPayments;

    /** State with this clock, webhook dispatcher and event API version. */
    public FakeStripeState(Clock clock, WebhookDispatcher webhooks, String apiVersion) {
        this.clock = clock;
        this.webhooks = webhooks;
        this.apiVersion = apiVersion;
        this.events = new EventBus(this);
    }

    /** The lock every read and change of the state holds. */
    public ReentrantLock lock() {
        return lock;
    }

    /** Runs {@code body} under the lock. */
    public <T> T locked(Supplier<T> body) {
        lock.lock();
        try {
            return body.get();
        } finally {
            lock.unlock();
        }
    }

    /** Runs {@code body} under the lock. */
    public void locked(Runnable body) {
        lock.lock();
        try {
            body.run();
        } finally {
            lock.unlock();
        }
    }

    /** The objects. */
    public ObjectStore store() {
        return store;
    }

    /** The event bus. */
    public EventBus events() {
        return events;
    }

    /** The webhook dispatcher. */
    public WebhookDispatcher webhooks() {
        return webhooks;
    }

    /** Now, in Unix seconds (Stripe's {@code created}). */
    public long now() {
        return clock.instant().getEpochSecond();
    }

    /** The clock. */
    public Clock clock() {
        return clock;
    }

    /** The API version events carry. */
    public String apiVersion() {
        return apiVersion;
    }

    /** Sets the API version events carry from now on. */
    public void setApiVersion(String apiVersion) {
        this.apiVersion = apiVersion;
    }

    /** Base URL of the server, e.g. {@code http://127.0.0.1:12111}. */
    public String apiBase() {
        return apiBase;
    }

    /** Set once the server is bound. */
    public void setApiBase(String apiBase) {
        this.apiBase = apiBase;
    }

    /** Whether successful card confirmations stop in {@code processing}. */
    public boolean asyncCardPayments() {
        return asyncCardPayments;
    }

    /** Sets whether successful card confirmations stop in {@code processing}. */
    public void setAsyncCardPayments(boolean value) {
        this.asyncCardPayments = value;
    }

    /** Remembers which test card a PaymentMethod is. */
    public void rememberCard(String paymentMethodId, CardProfile card) {
        paymentMethodCards.put(paymentMethodId, card);
    }

    /** The test card behind a PaymentMethod. */
    public CardProfile cardOf(String paymentMethodId) {
        return paymentMethodCards.get(paymentMethodId);
    }

    /**
     * Remembers that a PaymentMethod was set up for later payments (a succeeded SetupIntent, or a
     * PaymentIntent with {@code setup_future_usage}): cards that ask for authentication only until then
     * stop asking.
     */
    public void markSetUp(String paymentMethodId) {
        setUpPaymentMethods.add(paymentMethodId);
    }

    /** Whether a PaymentMethod was set up for later payments. */
    public boolean isSetUp(String paymentMethodId) {
        return setUpPaymentMethods.contains(paymentMethodId);
    }

    /** Stores a new object. */
    public ObjectNode put(ObjectNode object) {
        return store.put(object);
    }

    /** Forgets all objects and events (not settings). */
    public void clear() {
        store.clear();
        paymentMethodCards.clear();
        setUpPaymentMethods.clear();
    }
}
