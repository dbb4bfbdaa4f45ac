package dev.tokenbilling.examples.boot;

import dev.tokenbilling.hook.BillingEventListener;
import dev.tokenbilling.model.BillingEvent;
import dev.tokenbilling.model.UserId;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The demo's {@link BillingEventListener}: the starter registers it and its event delivery job hands
 * it every billing event from the library's outbox (purchases, low balance, auto-recharges...). It logs
 * each one, and keeps the latest {@code balance.low} and {@code recharge.*} events of each user in
 * memory for the billing page ({@code GET /api/demo/events}). A real application would send an e-mail
 * here, deduplicating on {@link BillingEvent#id()} (delivery is at least once).
 */
@Component
class DemoBillingEvents implements BillingEventListener {

    private static final Logger LOG = LoggerFactory.getLogger(DemoBillingEvents.class);
    private static final int KEPT_PER_USER = 10;

    private final Map<UserId, Deque<BillingEvent>> recent = new HashMap<>();

    @Override
    public void onEvent(BillingEvent event) {
        LOG.info("Billing event {} {} for user {}: {}", event.id(), event.type(), event.userId(), event.payload());
        if (!event.type().equals("balance.low") && !event.type().startsWith("recharge.")) {
            return;
        }
        synchronized (recent) {
            Deque<BillingEvent> events = recent.computeIfAbsent(event.userId(), user -> new ArrayDeque<>());
            if (events.stream().anyMatch(seen -> seen.id() == event.id())) {
                return; // delivered again: at least once
            }
            events.addFirst(event);
            while (events.size() > KEPT_PER_USER) {
                events.removeLast();
            }
        }
    }

    /** The user's latest low-balance and auto-recharge events, newest first. */
    List<BillingEvent> recent(UserId user) {
        synchronized (recent) {
            return List.copyOf(recent.getOrDefault(user, new ArrayDeque<>()));
        }
    }
}
