package dev.tokenbilling.service;

import dev.tokenbilling.model.AuditReport;
import dev.tokenbilling.model.BillingEvent;
import dev.tokenbilling.model.DeliveryReport;
import dev.tokenbilling.model.ExpiryReport;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.model.WebhookEventQuery;
import dev.tokenbilling.model.WebhookEventRecord;
import dev.tokenbilling.model.WebhookEventStatus;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** What operators and schedulers run: expiry, the ledger audit, stored webhook events, health counts. */
public interface OperationsService {

    /** The most rows one expiry run or query takes. */
    int MAX_LIMIT = 1000;

    /**
     * Releases lapsed holds and takes lapsed lots out of balances (an {@code expiry} entry each), at
     * most {@code limit} of each. Exactly once and safe on several instances at the same time.
     */
    ExpiryReport expire(int limit);

    /**
     * Runs {@link #expire} in batches of {@code batchSize} until a batch comes back short (nothing more
     * is due, or another instance has it) or {@code maxItems} lots or holds were done; {@code progress}
     * hears the running total after each batch. Returns the total.
     */
    ExpiryReport expireDue(int batchSize, int maxItems, java.util.function.Consumer<ExpiryReport> progress);

    /** Checks the ledger's invariants over every user (entries sum to balances, lots to balances, no usage below zero...). */
    AuditReport audit();

    /** How many purchases are still open after {@code olderThan}: "stuck", for health checks. */
    long countStuckPurchases(Duration olderThan);

    /** How many stored events are in {@code status}: e.g. the failed ones, for health checks. */
    long countWebhookEvents(WebhookEventStatus status);

    /** The stored Stripe event with this id, if any. */
    Optional<WebhookEventRecord> findWebhookEvent(String eventId);

    /** Stored Stripe events, newest first: e.g. the failed ones. */
    List<WebhookEventRecord> webhookEvents(WebhookEventQuery query);

    /**
     * Delivers due billing events from the outbox to the listeners the library was built with
     * ({@code TokenBilling.builder().eventListener(...)}), at most {@code limit}; schedule it (the
     * Spring starter does). Without listeners, due events are marked delivered.
     */
    DeliveryReport deliverEvents(int limit);

    /**
     * Billing events from the outbox, newest first, at most {@code limit} (1 to {@link #MAX_LIMIT}):
     * all, only pending ({@code delivered} false) or only delivered ones; with {@code userId}, that user's.
     */
    List<BillingEvent> billingEvents(Optional<UserId> userId, Optional<Boolean> delivered, int limit);

    /** Makes a billing event pending again, to be delivered at once; false when the user has no such event. */
    boolean redeliverEvent(UserId userId, long eventId);
}
