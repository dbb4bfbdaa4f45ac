package dev.tokenbilling.internal.subscription;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenbilling.internal.AfterCommit;
import dev.tokenbilling.internal.EventFailure;
import dev.tokenbilling.internal.outbox.BillingEvents;
import dev.tokenbilling.internal.stripe.StripeJson;
import dev.tokenbilling.model.BillingInterval;
import dev.tokenbilling.model.Subscription;
import dev.tokenbilling.model.SubscriptionTier;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.store.BillingStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/**
 * What Stripe's subscription, invoice and checkout events mean for a user's tier and allowance.
 * Each event is read from its raw JSON; none needs another to have arrived first:
 *
 * <ul>
 *   <li>{@code customer.subscription.*} store the subscription's state, unless a newer one is
 *       stored; an update that moved to a tier with a bigger allowance tops the period up;</li>
 *   <li>{@code invoice.paid} (and {@code invoice.payment_succeeded}, which older API versions send)
 *       grant the paid period's allowance, once per invoice;</li>
 *   <li>{@code checkout.session.*} record the user's Stripe customer; the payment's own events
 *       credit packs.</li>
 * </ul>
 */
public final class SubscriptionEvents {

    public static final Set<String> TYPES = Set.of(
            "checkout.session.completed",
            "checkout.session.async_payment_succeeded",
            "checkout.session.async_payment_failed",
            "customer.subscription.created",
            "customer.subscription.updated",
            "customer.subscription.deleted",
            "customer.subscription.paused",
            "customer.subscription.resumed",
            "invoice.paid",
            "invoice.payment_succeeded",
            "invoice.payment_failed");

    static final String USER_ID = "user_id";
    /** A period of more than this many days is a year's. */
    private static final Duration LONGEST_MONTH = Duration.ofDays(31);

    /** What handling an event did; {@code ignored} when it was not about this library's tiers. */
    public record Handled(boolean ignored, String description) {}

    private final Allowances allowances;
    private final Clock clock;

    public SubscriptionEvents(Allowances allowances, Clock clock) {
        this.allowances = allowances;
        this.clock = clock;
    }

    public Handled handle(BillingStore tx, String type, JsonNode envelope, AfterCommit after) {
        JsonNode object = envelope.path("data").path("object");
        Instant eventTime = StripeSubscription.time(envelope, "created").orElse(clock.instant());
        try {
            if (type.startsWith("checkout.session.")) {
                return checkoutSession(tx, object);
            }
            if (type.startsWith("customer.subscription.")) {
                return subscription(tx, object, envelope.path("data").path("previous_attributes"), eventTime, after);
            }
            if (type.equals("invoice.payment_failed")) {
                StripeInvoice invoice = StripeInvoice.parse(object);
                return new Handled(false, "invoice " + invoice.id() + " was not paid: no allowance until it is");
            }
            return invoicePaid(tx, StripeInvoice.parse(object), after);
        } catch (IllegalArgumentException e) {
            throw EventFailure.permanent("malformed " + type + " event: " + e.getMessage());
        }
    }

    /** Stores a subscription read from Stripe at {@code seenAt} (a refresh, or the reconciler's repair). */
    public Handled applySubscription(BillingStore tx, JsonNode subscription, Instant seenAt, AfterCommit after) {
        return subscription(
                tx, subscription, com.fasterxml.jackson.databind.node.MissingNode.getInstance(), seenAt, after);
    }

    /** Grants the allowance of a paid invoice read from Stripe (the reconciler's repair of a missed event). */
    public Handled applyPaidInvoice(BillingStore tx, JsonNode invoice, AfterCommit after) {
        return invoicePaid(tx, StripeInvoice.parse(invoice), after);
    }

    private Handled checkoutSession(BillingStore tx, JsonNode session) {
        Optional<String> customer = StripeJson.idOf(session.path("customer"));
        Optional<String> user = Optional.ofNullable(StripeJson.metadata(session).get(USER_ID));
        if (customer.isEmpty() || user.isEmpty()) {
            return new Handled(
                    true,
                    "checkout session " + StripeJson.text(session, "id").orElse("?")
                            + " was not started by this library");
        }
        tx.subscriptions().saveCustomer(UserId.of(user.get()), customer.get(), clock.instant());
        return new Handled(
                false,
                "checkout session " + StripeJson.text(session, "id").orElse("?") + " of user " + user.get()
                        + " completed; its payment's events credit it");
    }

    /** Stores the subscription's state, and tops up an upgrade. */
    Handled subscription(BillingStore tx, JsonNode object, JsonNode previous, Instant changedAt, AfterCommit after) {
        if (!StripeSubscription.priced(object)) {
            return new Handled(
                    true,
                    "subscription " + StripeJson.text(object, "id").orElse("?")
                            + " has no priced item: not one of this library's tiers");
        }
        StripeSubscription stripe = StripeSubscription.parse(object);
        Optional<SubscriptionTier> tier =
                tx.tiers().findByStripeIds(stripe.productId().orElse(null), stripe.priceId());
        if (tier.isEmpty()) {
            return new Handled(true, "subscription " + stripe.id() + " is not to one of this library's tiers");
        }
        Optional<UserId> user = userOf(tx, stripe.metadata(), Optional.of(stripe.id()), stripe.customerId());
        if (user.isEmpty()) {
            return new Handled(true, "subscription " + stripe.id() + " belongs to no user this library knows");
        }
        Instant now = clock.instant();
        // A subscription made outside the library's checkout (the Dashboard, say) still gets its
        // customer recorded, so that the user can open the Customer Portal.
        stripe.customerId().ifPresent(customer -> tx.subscriptions().saveCustomer(user.get(), customer, now));
        Subscription stored = tx.subscriptions().save(snapshot(user.get(), stripe, tier.get(), changedAt, now));
        String description = "subscription " + stripe.id() + " of user "
                + user.get().value() + " is " + stored.status().wireName() + " on " + stored.tierSlug();
        if (stored.stripeChangedAt().isAfter(changedAt)) {
            description += " (a newer state was stored before this event)";
        } else {
            BillingEvents.subscriptionChanged(tx, stored, now);
            after.add(listener -> listener.subscriptionChanged(stored));
        }
        Optional<SubscriptionTier> before = previousTier(tx, previous);
        if (before.isPresent()
                && stripe.status().entitles()
                && tier.get().allowance(stripe.interval()) > before.get().allowance(stripe.interval())
                && stripe.currentPeriodStart().isPresent()
                && stripe.currentPeriodEnd().isPresent()) {
            Optional<?> topUp = allowances.topUp(
                    tx,
                    user.get(),
                    stripe.id(),
                    tier.get(),
                    stripe.interval(),
                    stripe.currentPeriodStart().get(),
                    stripe.currentPeriodEnd().get(),
                    now,
                    after);
            if (topUp.isPresent()) {
                description += "; upgraded from " + before.get().slug() + ", allowance topped up";
            }
        }
        return new Handled(false, description);
    }

    /** The tier before an update, read from the event's {@code previous_attributes} (any API version). */
    private static Optional<SubscriptionTier> previousTier(BillingStore tx, JsonNode previous) {
        JsonNode item = previous.path("items").path("data").path(0);
        JsonNode price = item.path("price").isObject() ? item.path("price") : previous.path("plan");
        Optional<String> priceId = StripeJson.text(price, "id");
        if (priceId.isEmpty()) {
            return Optional.empty();
        }
        return tx.tiers().findByStripeIds(StripeJson.idOf(price.path("product")).orElse(null), priceId.get());
    }

    private Handled invoicePaid(BillingStore tx, StripeInvoice invoice, AfterCommit after) {
        if (invoice.subscriptionId().isEmpty()) {
            return new Handled(true, "invoice " + invoice.id() + " is not a subscription's");
        }
        if (!invoice.paid()) {
            return new Handled(true, "invoice " + invoice.id() + " is " + invoice.status() + ", not paid");
        }
        if (!invoice.paysPeriod()) {
            // Prorations of an upgrade: the subscription's update tops the allowance up.
            return new Handled(
                    true, "invoice " + invoice.id() + " (" + invoice.billingReason() + ") pays for no new period");
        }
        Optional<SubscriptionTier> tier = invoice.priceId()
                .flatMap(price -> tx.tiers().findByStripeIds(invoice.productId().orElse(null), price));
        if (tier.isEmpty()) {
            return new Handled(true, "invoice " + invoice.id() + " is not for one of this library's tiers");
        }
        Optional<UserId> user =
                userOf(tx, invoice.subscriptionMetadata(), invoice.subscriptionId(), invoice.customerId());
        if (user.isEmpty()) {
            // Its subscription's own event (or the checkout's) may still come: try again later.
            throw EventFailure.retryable("invoice " + invoice.id() + " of subscription "
                    + invoice.subscriptionId().get() + " names no user this library knows yet");
        }
        if (invoice.periodStart().isEmpty() || invoice.periodEnd().isEmpty()) {
            throw EventFailure.permanent("invoice " + invoice.id() + " has no billing period");
        }
        return new Handled(false, grant(tx, user.get(), tier.get(), invoice, after));
    }

    /** Grants the invoice's period; shared with the reconciler's repair of missed invoices. */
    String grant(BillingStore tx, UserId user, SubscriptionTier tier, StripeInvoice invoice, AfterCommit after) {
        Instant start = invoice.periodStart().orElseThrow();
        Instant end = invoice.periodEnd().orElseThrow();
        BillingInterval interval = Duration.between(start, end).compareTo(LONGEST_MONTH) > 0
                ? BillingInterval.YEAR
                : BillingInterval.MONTH;
        return allowances
                .grantPeriod(tx, user, tier, interval, invoice.id(), start, end, clock.instant(), after)
                .map(entry -> "granted " + entry.amount() + " tokens of " + tier.slug() + " to user " + user.value()
                        + " for invoice " + invoice.id())
                .orElse("allowance of invoice " + invoice.id() + " was granted before, or its period is over");
    }

    /** Whose it is: the user id the library put in the metadata, else what the store knows. */
    static Optional<UserId> userOf(
            BillingStore tx,
            java.util.Map<String, String> metadata,
            Optional<String> subscriptionId,
            Optional<String> customer) {
        String fromMetadata = metadata.get(USER_ID);
        if (fromMetadata != null && !fromMetadata.isBlank()) {
            return Optional.of(UserId.of(fromMetadata));
        }
        Optional<UserId> bySubscription = subscriptionId
                .flatMap(id -> tx.subscriptions().findByStripeId(id))
                .map(Subscription::userId);
        return bySubscription.or(() -> customer.flatMap(id -> tx.subscriptions().userOfCustomer(id)));
    }

    static Subscription snapshot(
            UserId user, StripeSubscription stripe, SubscriptionTier tier, Instant changedAt, Instant now) {
        return new Subscription(
                user,
                stripe.id(),
                stripe.customerId(),
                tier.id(),
                tier.slug(),
                stripe.interval(),
                stripe.status(),
                stripe.currentPeriodStart(),
                stripe.currentPeriodEnd(),
                stripe.cancelAtPeriodEnd(),
                stripe.canceledAt(),
                stripe.endedAt(),
                changedAt,
                now,
                now);
    }
}
