package dev.tokenbilling.hook;

import dev.tokenbilling.model.BillingEvent;

/**
 * Receives the library's billing events from its durable outbox: at least once, in order per user,
 * also after a crash between the change's commit and the delivery. An event is delivered again (to
 * every listener) when any listener throws, with growing pauses, so make handling idempotent by
 * {@link BillingEvent#id()}. Called on the delivering thread; keep it quick.
 */
@FunctionalInterface
public interface BillingEventListener {

    void onEvent(BillingEvent event) throws Exception;
}
