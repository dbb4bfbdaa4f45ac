package dev.tokenbilling.internal.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenbilling.hook.EventHandler;
import dev.tokenbilling.internal.AfterCommit;
import dev.tokenbilling.internal.EventFailure;
import dev.tokenbilling.internal.PurchaseTransitions;
import dev.tokenbilling.internal.RefundFact;
import dev.tokenbilling.internal.stripe.StripeJson;
import dev.tokenbilling.internal.subscription.Allowances;
import dev.tokenbilling.internal.subscription.SubscriptionEvents;
import dev.tokenbilling.model.Purchase;
import dev.tokenbilling.model.PurchaseTransition;
import dev.tokenbilling.model.WebhookEventRecord;
import dev.tokenbilling.payment.PaymentIntentSnapshot;
import dev.tokenbilling.store.BillingStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Routes a stored event to what it means for purchases: PaymentIntent events to the payment
 * transitions, refunds and disputes to the reversals, anything else to the host's handlers or to
 * "ignored". Objects are read from the stored raw JSON, whatever the event's API version.
 */
public final class EventDispatcher {

    /** The event types the library acts on; the reconciler fetches these when webhooks were missed. */
    public static final Set<String> HANDLED_TYPES = union(
            SubscriptionEvents.TYPES,
            Set.of(
                    "payment_intent.succeeded",
                    "payment_intent.payment_failed",
                    "payment_intent.canceled",
                    "payment_intent.processing",
                    "payment_intent.requires_action",
                    "charge.refunded",
                    "charge.refund.updated",
                    "refund.created",
                    "refund.updated",
                    "refund.failed",
                    "charge.dispute.created",
                    "charge.dispute.updated",
                    "charge.dispute.closed"));

    static final String PURCHASE_ID = "purchase_id";

    private final PurchaseTransitions transitions;
    private final List<EventHandler> handlers;
    /** Event types the host application's handlers take, stored with the schema by the host. */
    private final Supplier<Set<String>> hostEventTypes;

    private final Optional<Boolean> livemode;
    private final SubscriptionEvents subscriptions;

    public EventDispatcher(
            PurchaseTransitions transitions, List<EventHandler> handlers, Supplier<Set<String>> hostEventTypes) {
        this(transitions, handlers, hostEventTypes, Optional.empty());
    }

    public EventDispatcher(
            PurchaseTransitions transitions,
            List<EventHandler> handlers,
            Supplier<Set<String>> hostEventTypes,
            Optional<Boolean> livemode) {
        this(
                transitions,
                handlers,
                hostEventTypes,
                livemode,
                new SubscriptionEvents(new Allowances(Allowances.DEFAULT_GRACE), Clock.systemUTC()));
    }

    /**
     * @param livemode      the mode of the configured Stripe key, when known: events of the other mode are not ours
     * @param subscriptions what subscription, invoice and checkout events mean for tiers and allowances
     */
    public EventDispatcher(
            PurchaseTransitions transitions,
            List<EventHandler> handlers,
            Supplier<Set<String>> hostEventTypes,
            Optional<Boolean> livemode,
            SubscriptionEvents subscriptions) {
        this.livemode = livemode;
        this.subscriptions = subscriptions;
        this.transitions = transitions;
        this.handlers = List.copyOf(handlers);
        this.hostEventTypes = hostEventTypes;
    }

    /** What the dispatch did; {@code ignored} when nothing in the library or the host cared. */
    public record Result(boolean ignored, Optional<PurchaseTransition> transition, String description) {

        static Result ignored(String why) {
            return new Result(true, Optional.empty(), why);
        }

        static Result of(PurchaseTransition transition) {
            return new Result(false, Optional.of(transition), transition.describe());
        }
    }

    public Result dispatch(BillingStore tx, WebhookEventRecord event, AfterCommit after) {
        return dispatch(tx, event, StripeJson.parse(event.payload()), after);
    }

    /** {@link #dispatch(BillingStore, WebhookEventRecord, AfterCommit)} with the payload already parsed. */
    public Result dispatch(BillingStore tx, WebhookEventRecord event, JsonNode envelope, AfterCommit after) {
        JsonNode object = envelope.path("data").path("object");
        String type = event.type();
        // Events of a connected account (Stripe Connect) are about that account's money, never ours.
        Optional<String> account = StripeJson.text(envelope, "account");
        if (account.isPresent()) {
            return Result.ignored("event of connected account " + account.get());
        }
        // A test-mode event at a live integration (or the reverse) never moves this mode's money.
        if (livemode.isPresent() && envelope.path("livemode").asBoolean(false) != livemode.get()) {
            return Result.ignored((livemode.get() ? "test-mode" : "live-mode") + " event at a "
                    + (livemode.get() ? "live" : "test-mode") + " integration");
        }
        if (type.startsWith("payment_intent.") && HANDLED_TYPES.contains(type)) {
            return paymentIntent(tx, object, after);
        }
        if (SubscriptionEvents.TYPES.contains(type)) {
            SubscriptionEvents.Handled handled = subscriptions.handle(tx, type, envelope, after);
            // Hosts that took these events before the library did still get them.
            Result host = hostHandlers(event, object);
            if (handled.ignored() || !host.ignored()) {
                return handled.ignored()
                        ? host
                        : new Result(false, Optional.empty(), handled.description() + "; " + host.description());
            }
            return new Result(false, Optional.empty(), handled.description());
        }
        return switch (type) {
            case "charge.refunded" ->
                withPurchase(tx, object.path("payment_intent"), StripeJson.text(object, "id"), purchase -> {
                    requireCurrency(purchase, object);
                    // Older API versions list the charge's refunds; newer ones carry only the total.
                    List<RefundFact> refunds = new ArrayList<>();
                    object.path("refunds").path("data").forEach(refund -> refunds.add(refundFact(refund)));
                    return transitions.applyRefunds(
                            tx,
                            purchase.id(),
                            refunds,
                            OptionalLong.of(object.path("amount_refunded").asLong()),
                            after);
                });
            case "charge.refund.updated", "refund.created", "refund.updated", "refund.failed" ->
                withPurchase(tx, object.path("payment_intent"), StripeJson.idOf(object.path("charge")), purchase -> {
                    requireCurrency(purchase, object);
                    return transitions.applyRefunds(
                            tx, purchase.id(), List.of(refundFact(object)), OptionalLong.empty(), after);
                });
            case "charge.dispute.created", "charge.dispute.updated", "charge.dispute.closed" ->
                withPurchase(
                        tx,
                        object.path("payment_intent"),
                        StripeJson.text(object, "charge"),
                        purchase -> transitions.applyDispute(
                                tx,
                                purchase.id(),
                                StripeJson.required(object, "id"),
                                StripeJson.text(object, "status").orElse(""),
                                object.path("amount").asLong(purchase.amount().minorUnits()),
                                after));
            default -> hostHandlers(event, object);
        };
    }

    private Result paymentIntent(BillingStore tx, JsonNode object, AfterCommit after) {
        PaymentIntentSnapshot intent;
        try {
            intent = StripeJson.paymentIntent(object);
        } catch (IllegalArgumentException e) {
            throw EventFailure.permanent("malformed PaymentIntent in event: " + e.getMessage());
        }
        Optional<Purchase> purchase = findPurchase(tx, intent);
        if (purchase.isEmpty()) {
            return Result.ignored("PaymentIntent " + intent.id() + " is not a token purchase");
        }
        return Result.of(transitions.applyPaymentIntent(tx, purchase.get(), intent, after));
    }

    /**
     * By PaymentIntent id, else by the purchase id in its metadata (the event may beat our own write
     * of the id); locked for the rest of the transaction.
     */
    private static Optional<Purchase> findPurchase(BillingStore tx, PaymentIntentSnapshot intent) {
        Optional<Purchase> byIntent = tx.purchases().findByPaymentIntentIdForUpdate(intent.id());
        if (byIntent.isPresent()) {
            return byIntent;
        }
        String purchaseId = intent.metadata().get(PURCHASE_ID);
        if (purchaseId == null) {
            return Optional.empty();
        }
        try {
            Purchase purchase = tx.purchases()
                    .findByIdForUpdate(Long.parseLong(purchaseId))
                    .orElseThrow(() -> EventFailure.permanent(
                            "PaymentIntent " + intent.id() + " names unknown purchase " + purchaseId));
            // Found by metadata alone: trust it only if it is the PaymentIntent this library made for
            // this purchase (same user and package), not one that merely names a purchase id.
            if (!purchase.userId().value().equals(intent.metadata().get("user_id"))
                    || !purchase.packageSlug()
                            .equals(intent.metadata().getOrDefault("package_slug", purchase.packageSlug()))) {
                throw EventFailure.permanent("PaymentIntent " + intent.id() + " names purchase " + purchaseId
                        + " but its metadata does not match that purchase's user and package; nothing credited");
            }
            return Optional.of(purchase);
        } catch (NumberFormatException e) {
            throw EventFailure.permanent(
                    "PaymentIntent " + intent.id() + " has a malformed purchase_id '" + purchaseId + "'");
        }
    }

    private Result withPurchase(
            BillingStore tx,
            JsonNode paymentIntentField,
            Optional<String> chargeId,
            java.util.function.Function<Purchase, PurchaseTransition> action) {
        Optional<Purchase> purchase = StripeJson.idOf(paymentIntentField)
                .flatMap(tx.purchases()::findByPaymentIntentId)
                .or(() -> chargeId.flatMap(tx.purchases()::findByChargeId));
        if (purchase.isEmpty()) {
            return Result.ignored("charge is not a token purchase");
        }
        return Result.of(action.apply(purchase.get()));
    }

    private static RefundFact refundFact(JsonNode refund) {
        return new RefundFact(
                StripeJson.required(refund, "id"),
                refund.path("amount").asLong(),
                StripeJson.text(refund, "status").orElse("succeeded"));
    }

    private static void requireCurrency(Purchase purchase, JsonNode charge) {
        String currency = StripeJson.text(charge, "currency").orElse("");
        if (!currency.equalsIgnoreCase(purchase.amount().currency().getCurrencyCode())) {
            throw EventFailure.permanent("refund currency '" + currency + "' does not match purchase " + purchase.id()
                    + " (" + purchase.amount().currency() + ")");
        }
    }

    private Result hostHandlers(WebhookEventRecord event, JsonNode object) {
        boolean handled = false;
        for (EventHandler handler : handlers) {
            if (handler.eventTypes().stream().anyMatch(pattern -> matches(pattern, event.type()))) {
                handler.handle(event.id(), event.type(), object);
                handled = true;
            }
        }
        if (handled) {
            return new Result(false, Optional.empty(), "handled by the host");
        }
        if (hostEventTypes.get().stream().anyMatch(pattern -> matches(pattern, event.type()))) {
            // This process (the CLI, say) lacks the host's handlers: leave the event for the host.
            throw EventFailure.retryable("left for the host application, whose handlers take " + event.type());
        }
        return Result.ignored("no handler for " + event.type());
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new java.util.HashSet<>(a);
        all.addAll(b);
        return Set.copyOf(all);
    }

    static boolean matches(String pattern, String type) {
        return pattern.endsWith("*")
                ? type.startsWith(pattern.substring(0, pattern.length() - 1))
                : pattern.equals(type);
    }
}
