package dev.tokenbilling.store;

import dev.tokenbilling.model.BillingEvent;
import dev.tokenbilling.model.UserId;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The outbox of host-facing billing events. Appended in the caller's transaction (so an event
 * exists exactly when its change committed), then leased and marked by the delivery.
 */
public interface OutboxRepository {

    /** Appends a pending event of the user, due at {@code at}; returns it. */
    BillingEvent append(UserId userId, String type, String payloadJson, Instant at);

    /**
     * Leases up to {@code limit} due events (pending, {@code nextAttemptAt <= now}), each its user's
     * oldest pending event, oldest first: the lease counts an attempt and moves
     * {@code nextAttemptAt} to {@code leaseUntil}, so racing callers (other processes) never get the
     * same event, nor a user's later event while an earlier one is pending. A caller that dies leaves
     * its events to be leased again after {@code leaseUntil}.
     */
    List<BillingEvent> leaseDue(Instant now, Instant leaseUntil, int limit);

    /** Marks the event delivered at {@code at}; a repeat changes nothing. */
    void markDelivered(UserId userId, long id, Instant at);

    /** Records why delivering failed and when to try again. */
    void markFailed(UserId userId, long id, String error, Instant nextAttemptAt);

    /**
     * Events newest first, at most {@code limit}: all, only pending ones ({@code delivered} false),
     * or only delivered ones; with {@code userId}, only that user's.
     */
    List<BillingEvent> list(Optional<UserId> userId, Optional<Boolean> delivered, int limit);

    /** Makes the event pending and due at {@code at} again (an operator's redelivery); false for an unknown event. */
    boolean redeliver(UserId userId, long id, Instant at);

    /**
     * Sets (or, when empty, clears) the user's low-balance threshold: an event {@code balance.low}
     * is appended when a posting takes the available balance below it. Creates the balance row of a
     * user who never had a posting.
     */
    void setLowBalanceThreshold(UserId userId, Optional<Long> threshold, Instant at);

    /** The user's low-balance threshold, if set. */
    Optional<Long> lowBalanceThreshold(UserId userId);
}
