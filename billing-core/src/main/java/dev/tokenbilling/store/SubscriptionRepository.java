package dev.tokenbilling.store;

import dev.tokenbilling.model.Subscription;
import dev.tokenbilling.model.SubscriptionStatus;
import dev.tokenbilling.model.UserId;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Users' Stripe subscriptions as last seen, and the Stripe customer of each user. */
public interface SubscriptionRepository {

    /**
     * Stores {@code subscription} (keyed by user and Stripe id) unless the stored row has a later
     * {@link Subscription#stripeChangedAt()}: an older snapshot (an event delivered late) never
     * overwrites a newer one; an equal time is applied (a repeat writes the same values). The
     * creation time of an existing row stays. Returns the row as stored afterwards. Racing saves of
     * one subscription are serialised: the newest snapshot wins whatever their order.
     */
    Subscription save(Subscription subscription);

    /** The user's subscription with this Stripe id; empty for another user's. */
    Optional<Subscription> find(UserId userId, String stripeSubscriptionId);

    /** The subscription with this Stripe id, whoever's it is (for events that carry no user). */
    Optional<Subscription> findByStripeId(String stripeSubscriptionId);

    /** The user's subscriptions, the latest period first (ended ones included). */
    List<Subscription> forUser(UserId userId);

    /**
     * Subscriptions in {@code status} (any status when empty), soonest period end first, at most
     * {@code limit}.
     */
    List<Subscription> list(Optional<SubscriptionStatus> status, int limit);

    /**
     * Subscriptions that can still change (not canceled, not expired incomplete), the ones taken
     * from Stripe longest ago first ({@link Subscription#stripeChangedAt()}), at most {@code limit}:
     * what the reconciler refreshes, round by round.
     */
    List<Subscription> listStalest(int limit);

    /** The Stripe customer recorded for the user. */
    Optional<String> customerOf(UserId userId);

    /**
     * Records {@code customerId} as the user's Stripe customer unless one is recorded; returns the
     * one recorded afterwards (so racing callers all get the first one's).
     */
    String saveCustomer(UserId userId, String customerId, Instant at);

    /** The user whose Stripe customer this is. */
    Optional<UserId> userOfCustomer(String customerId);
}
