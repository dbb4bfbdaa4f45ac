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

/** Stripe events, stored before they are processed so that none is lost. Each write is atomic. */
public interface WebhookEventRepository {

    /**
     * Stores the event in status {@code received}, with no attempt or error and its next attempt due
     * one minute after it was received (so that an event whose processing a crash cut short is
     * retried), unless an event with its id is stored: true when this call stored it; false, changing nothing (the first
     * payload stays), otherwise. Of racing inserts of one id exactly one gets true: an insert racing
     * an uncommitted insert of the same id waits for it, and stores the event itself if that one
     * rolls back, so that no event is lost.
     */
    boolean insertIfAbsent(NewWebhookEvent event);

    /**
     * {@link #insertIfAbsent} and {@link #markDone} in one write, for an event that the enclosing
     * transaction processes right after storing it: the event is stored already marked done with
     * {@code status} ({@code processed} or {@code ignored}) at {@code at} (one attempt), so a first
     * delivery costs one write rather than two.
     * Racing inserts behave as in {@link #insertIfAbsent}; false changes nothing.
     */
    default boolean insertDoneIfAbsent(NewWebhookEvent event, WebhookEventStatus status, Instant at) {
        if (!insertIfAbsent(event)) {
            return false;
        }
        markDone(event.id(), status, at);
        return true;
    }

    /** The stored event with this id; empty for an unknown id. */
    Optional<WebhookEventRecord> findById(String id);

    /**
     * Like {@link #findById}, and locks the event row until the enclosing transaction ends:
     * concurrent deliveries of one event queue here, another transaction's
     * {@code findByIdForUpdate} of the event waiting until then and seeing what this one committed
     * (or, after a roll back, the event as it was). {@link #leaseRetryable} skips it. Outside a
     * transaction the lock ends with the call. Empty, locking nothing, for an unknown id.
     */
    Optional<WebhookEventRecord> findByIdForUpdate(String id);

    /**
     * Marks the event processed or ignored, whatever its status: counts the attempt, clears the
     * error and the next attempt, and records {@code at} as the processing time. An unknown id
     * changes nothing.
     */
    void markDone(String id, WebhookEventStatus status, Instant at);

    /**
     * Records a failed attempt: status {@code failed}, the attempt counted, {@code error} stored, and
     * {@code nextAttemptAt} as the next attempt; empty means permanent (no automatic retry). An
     * event already processed or ignored, or an unknown id, changes nothing.
     */
    void markFailed(String id, String error, Optional<Instant> nextAttemptAt, Instant at);

    /**
     * Events matching the query, newest first (received time descending, then id), at most
     * {@code query.limit()}: in any of its statuses (every status when none given), of its type,
     * received at or after its {@code receivedSince}.
     */
    List<WebhookEventRecord> find(WebhookEventQuery query);

    /** Which of these event ids are stored already; empty for an empty collection. */
    Set<String> storedIds(Collection<String> ids);

    /**
     * Leases up to {@code limit} received or failed events due for another attempt (next attempt at or before
     * {@code now}, fewer than {@code maxAttempts} attempts so far), earliest due first, moving their
     * next attempt to {@code now + lease} and returning them so; the attempt count stays (the
     * attempt is counted by {@link #markDone} or {@link #markFailed}). No lease returns them again
     * before then, and concurrent workers never take the same one: rows locked by another
     * transaction are skipped, never waited for. Events without a next attempt (permanent failures)
     * and done ones are never leased; a received event is leased once its first minute has passed.
     */
    List<WebhookEventRecord> leaseRetryable(Instant now, int maxAttempts, int limit, Duration lease);

    /** How many stored events are in this status, for health checks. */
    long count(WebhookEventStatus status);

    /** A Stripe event about to be stored. */
    record NewWebhookEvent(
            String id,
            String type,
            Optional<String> apiVersion,
            boolean livemode,
            Optional<String> objectId,
            String payload,
            Instant receivedAt) {}
}
