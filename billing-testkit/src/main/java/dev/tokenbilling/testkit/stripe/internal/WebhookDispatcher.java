package dev.tokenbilling.testkit.stripe.internal;

import dev.tokenbilling.testkit.stripe.DeliveryFailure;
import dev.tokenbilling.testkit.stripe.DeliveryOrder;
import dev.tokenbilling.testkit.stripe.StripeWebhookSigner;
import dev.tokenbilling.testkit.stripe.WebhookDelivery;
import dev.tokenbilling.testkit.stripe.WebhookEndpoint;
import dev.tokenbilling.testkit.stripe.WebhookMode;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends events to the registered webhook endpoints: right away in the background, before the API call
 * returns, or held for the test to release; with injected failures, retries and a log of every attempt.
 * Its own monitor guards its state; it never calls out (HTTP, listener) while holding it.
 */
public final class WebhookDispatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookDispatcher.class);

    /** One event due at one endpoint. */
    record Pending(String eventId, String eventType, String payload, String endpointId) {}

    private final Map<String, WebhookEndpoint> endpoints = new LinkedHashMap<>();
    private final Set<String> disabled = new LinkedHashSet<>();
    private final List<Pending> held = new ArrayList<>();
    private final List<WebhookDelivery> log = new ArrayList<>();
    private final Deque<DeliveryFailure> injected = new ArrayDeque<>();
    /** eventId -> endpointId -> delivered yet. */
    private final Map<String, Map<String, Boolean>> outcomes = new LinkedHashMap<>();

    private final Map<String, Pending> lastPending = new LinkedHashMap<>();
    private final ThreadLocal<List<Pending>> syncBatch = ThreadLocal.withInitial(ArrayList::new);
    private final ExecutorService background;
    private final WebhookSender sender;
    private final Clock clock;
    private final BiConsumer<String, Integer> pendingListener;
    private WebhookMode mode;
    private int inFlight;

    /**
     * A dispatcher.
     *
     * @param mode initial mode
     * @param sender HTTP sender
     * @param clock clock for signature timestamps
     * @param pendingListener told (eventId, endpoints still to deliver to) after each attempt
     */
    public WebhookDispatcher(
            WebhookMode mode, WebhookSender sender, Clock clock, BiConsumer<String, Integer> pendingListener) {
        this.mode = mode;
        this.sender = sender;
        this.clock = clock;
        this.pendingListener = pendingListener;
        this.background = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "fake-stripe-webhooks");
            t.setDaemon(true);
            return t;
        });
    }

    /** Sets the mode for events from now on; held deliveries stay held. */
    public synchronized void setMode(WebhookMode mode) {
        this.mode = mode;
    }

    /** The current mode. */
    public synchronized WebhookMode mode() {
        return mode;
    }

    /** Sets the per-attempt timeout. */
    public void setDeliveryTimeout(Duration timeout) {
        sender.setTimeout(timeout);
    }

    /** Adds or replaces an endpoint. */
    public synchronized void register(WebhookEndpoint endpoint) {
        endpoints.put(endpoint.id(), endpoint);
    }

    /** Enables or disables an endpoint. */
    public synchronized void setEnabled(String endpointId, boolean enabled) {
        if (enabled) {
            disabled.remove(endpointId);
        } else {
            disabled.add(endpointId);
        }
    }

    /** Removes an endpoint. */
    public synchronized void unregister(String endpointId) {
        endpoints.remove(endpointId);
        disabled.remove(endpointId);
    }

    /** The registered endpoints. */
    public synchronized List<WebhookEndpoint> endpoints() {
        return List.copyOf(endpoints.values());
    }

    /** How many enabled endpoints take events of this type. */
    public synchronized int targetsFor(String eventType) {
        return (int) endpoints.values().stream()
                .filter(e -> !disabled.contains(e.id()) && e.accepts(eventType))
                .count();
    }

    /** Routes a new event to its endpoints according to the mode. Called under the state lock. */
    public void dispatch(String eventId, String eventType, String payload) {
        List<Pending> due = new ArrayList<>();
        WebhookMode current;
        synchronized (this) {
            current = mode;
            Map<String, Boolean> perEndpoint = new LinkedHashMap<>();
            for (WebhookEndpoint endpoint : endpoints.values()) {
                if (!disabled.contains(endpoint.id()) && endpoint.accepts(eventType)) {
                    Pending p = new Pending(eventId, eventType, payload, endpoint.id());
                    perEndpoint.put(endpoint.id(), false);
                    lastPending.put(key(p), p);
                    due.add(p);
                }
            }
            outcomes.put(eventId, perEndpoint);
            if (current == WebhookMode.HOLD) {
                held.addAll(due);
                return;
            }
            if (current == WebhookMode.ASYNC) {
                inFlight += due.size();
            }
        }
        if (current == WebhookMode.SYNC) {
            syncBatch.get().addAll(due);
        } else {
            for (Pending p : due) {
                background.execute(() -> {
                    try {
                        deliver(p);
                    } finally {
                        finishedOne();
                    }
                });
            }
        }
    }

    private synchronized void finishedOne() {
        inFlight--;
        notifyAll();
    }

    /** Sends the deliveries this thread queued in SYNC mode; call without holding the state lock. */
    public void flushCurrentThread() {
        List<Pending> batch = syncBatch.get();
        if (batch.isEmpty()) {
            return;
        }
        List<Pending> copy = new ArrayList<>(batch);
        batch.clear();
        for (Pending p : copy) {
            deliver(p);
        }
    }

    /** Waits until background deliveries are done; false on timeout. */
    public synchronized boolean awaitIdle(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (inFlight > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            try {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** Held deliveries as (event id, endpoint id) pairs, oldest first. */
    public synchronized List<String> heldEventIds() {
        return held.stream().map(Pending::eventId).toList();
    }

    /** Sends the held deliveries now, in {@code order}, each {@code times} times; returns the attempts. */
    public List<WebhookDelivery> deliverHeld(DeliveryOrder order, int times, long seed) {
        List<Pending> batch;
        synchronized (this) {
            batch = new ArrayList<>(held);
            held.clear();
        }
        if (order == DeliveryOrder.REVERSED) {
            Collections.reverse(batch);
        } else if (order == DeliveryOrder.SHUFFLED) {
            Collections.shuffle(batch, new Random(seed));
        }
        List<WebhookDelivery> out = new ArrayList<>();
        for (int round = 0; round < times; round++) {
            for (Pending p : batch) {
                out.add(deliver(p));
            }
        }
        return out;
    }

    /** Drops the held deliveries. */
    public synchronized void discardHeld() {
        held.clear();
    }

    /** Sends again every (event, endpoint) whose latest attempt failed; returns the new attempts. */
    public List<WebhookDelivery> retryFailed() {
        List<Pending> due = new ArrayList<>();
        synchronized (this) {
            Set<String> failedKeys = new LinkedHashSet<>();
            Map<String, Boolean> latest = new LinkedHashMap<>();
            for (WebhookDelivery d : log) {
                latest.put(d.eventId() + "|" + d.endpointId(), d.succeeded());
            }
            latest.forEach((k, ok) -> {
                if (!ok) {
                    failedKeys.add(k);
                }
            });
            for (String k : failedKeys) {
                Pending p = lastPending.get(k);
                if (p != null && endpoints.containsKey(p.endpointId())) {
                    due.add(p);
                }
            }
        }
        List<WebhookDelivery> out = new ArrayList<>();
        for (Pending p : due) {
            out.add(deliver(p));
        }
        return out;
    }

    /** Sends an event again to every endpoint it went (or was due) to; returns the attempts. */
    public List<WebhookDelivery> redeliver(String eventId) {
        List<Pending> due = new ArrayList<>();
        synchronized (this) {
            for (Pending p : lastPending.values()) {
                if (p.eventId().equals(eventId) && endpoints.containsKey(p.endpointId())) {
                    due.add(p);
                }
            }
        }
        List<WebhookDelivery> out = new ArrayList<>();
        for (Pending p : due) {
            out.add(deliver(p));
        }
        return out;
    }

    /** Makes the next {@code n} attempts fail in the given way. */
    public synchronized void failNext(int n, DeliveryFailure failure) {
        for (int i = 0; i < n; i++) {
            injected.add(failure);
        }
    }

    /** Every attempt so far, oldest first. */
    public synchronized List<WebhookDelivery> log() {
        return List.copyOf(log);
    }

    /** Forgets endpoints, held deliveries, injected failures and the log. */
    public synchronized void reset() {
        endpoints.clear();
        disabled.clear();
        held.clear();
        log.clear();
        injected.clear();
        outcomes.clear();
        lastPending.clear();
    }

    private static String key(Pending p) {
        return p.eventId() + "|" + p.endpointId();
    }

    private WebhookDelivery deliver(Pending p) {
        WebhookEndpoint endpoint;
        DeliveryFailure failure;
        int attempt;
        synchronized (this) {
            endpoint = endpoints.get(p.endpointId());
            failure = injected.poll();
            attempt = 1
                    + (int) log.stream()
                            .filter(d -> key(p).equals(d.eventId() + "|" + d.endpointId()))
                            .count();
        }
        java.time.Instant now = clock.instant();
        String url = endpoint == null ? null : endpoint.url();
        String header = endpoint == null ? null : StripeWebhookSigner.header(p.payload(), endpoint.secret(), now);
        int status;
        String error;
        if (endpoint == null) {
            status = 0;
            error = "endpoint " + p.endpointId() + " no longer exists";
        } else if (failure == DeliveryFailure.SERVER_ERROR) {
            status = 500;
            error = "simulated: endpoint answered 500";
        } else if (failure == DeliveryFailure.UNREACHABLE) {
            status = 0;
            error = "simulated: endpoint unreachable";
        } else {
            WebhookSender.Result result = sender.send(url, p.payload(), header);
            status = result.status();
            error = result.error();
            if (failure == DeliveryFailure.RESPONSE_LOST) {
                error = "simulated: the endpoint's answer (" + status + ") was lost";
            }
        }
        boolean ok = error == null && status >= 200 && status < 300;
        if (!ok) {
            LOG.debug("Webhook {} {} to {} failed: {}", p.eventType(), p.eventId(), url, error);
        }
        WebhookDelivery delivery = new WebhookDelivery(
                p.eventId(), p.eventType(), p.endpointId(), url, attempt, status, ok, error, now, p.payload(), header);
        int stillPending;
        synchronized (this) {
            log.add(delivery);
            Map<String, Boolean> perEndpoint = outcomes.get(p.eventId());
            if (perEndpoint != null && ok) {
                perEndpoint.put(p.endpointId(), true);
            }
            stillPending = perEndpoint == null
                    ? 0
                    : (int) perEndpoint.values().stream().filter(v -> !v).count();
        }
        pendingListener.accept(p.eventId(), stillPending);
        return delivery;
    }

    @Override
    public void close() {
        background.shutdownNow();
    }
}
