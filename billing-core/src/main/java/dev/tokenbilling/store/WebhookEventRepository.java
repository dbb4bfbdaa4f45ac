package dev.tokenbilling.store;

import dev.tokenbilling.model.WebhookEventQuery;
import dev.tokenbilling.model.WebhookEventRecord;
import dev.tokenbilling.model.WebhookEventStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Stripe events, stored before they are processed so that none is lost. */
public interface WebhookEventRepository {

    /** Stores the event in status {@code received} unless its id is already stored; true when stored now. */
    boolean insertIfAbsent(NewWebhookEvent event);

    Optional<WebhookEventRecord> findById(String id);

    /** Locks the event row until the transaction ends: concurrent deliveries of one event queue here. */
    Optional<WebhookEventRecord> findByIdForUpdate(String id);

    /** Marks the event processed or ignored, counting the attempt and clearing any error. */
    void markDone(String id, WebhookEventStatus status, Instant at);

    /** Records a failed attempt; {@code nextAttemptAt} empty means permanent (no automatic retry). */
    void markFailed(String id, String error, Optional<Instant> nextAttemptAt, Instant at);

    List<WebhookEventRecord> find(WebhookEventQuery query);

    /** Which of these event ids are stored already. */
    Set<String> storedIds(Collection<String> ids);

    /**
     * Leases failed events due for another attempt (fewer than {@code maxAttempts} so far), pushing
     * their next attempt back by {@code lease} so that concurrent workers never take the same one.
     */
    List<WebhookEventRecord> leaseRetryable(Instant now, int maxAttempts, int limit, Duration lease);

    /** Counts per status, for health checks. */
    long count(WebhookEventStatus status);

    /** A Stripe event about to be stored. */
    record NewWebhookEvent(String id, String type, Optional<String> apiVersion, boolean livemode, Optional<String> objectId,
            String payload, Instant receivedAt) {
    }
}
