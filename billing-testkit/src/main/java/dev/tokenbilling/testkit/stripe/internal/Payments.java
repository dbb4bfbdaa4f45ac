package dev.tokenbilling.testkit.stripe.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenbilling.testkit.stripe.internal.CardProfile.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * What happens when a PaymentIntent is confirmed with a card: the charge attempt, the status moves
 * ({@code requires_payment_method -> processing | requires_action -> succeeded}), {@code
 * last_payment_error} on declines, and the events. Called under the state lock.
 */
public final class Payments {
    private final FakeStripeState state;
    private final BalanceTransactions balance;
    private final Disputes disputes;
    private final PaymentMethodsApi paymentMethods;
    private ObjectNode lastCollected;
    private final List<Listener> listeners = new ArrayList<>();

    /** Over this state. */
    public Payments(
            FakeStripeState state, BalanceTransactions balance, Disputes disputes, PaymentMethodsApi paymentMethods) {
        this.state = state;
        this.balance = balance;
        this.disputes = disputes;
        this.paymentMethods = paymentMethods;
    }

    /**
     * Charges {@code pm} for {@code pi}, on-session. Throws the 402 {@code card_error} of a decline after
     * recording it (the PaymentIntent keeps the failure, as on Stripe).
     *
     * @param returnUrl where a 3-D Secure redirect returns to, or null (then {@code use_stripe_sdk})
     */
    public void attempt(ObjectNode pi, ObjectNode pm, String returnUrl) {
        attempt(pi, pm, returnUrl, false);
    }

    /**
     * Charges {@code pm} for {@code pi}. Off-session ({@code off_session=true}) nobody can authenticate:
     * a card that asks for it is declined with {@code authentication_required}, as Stripe does.
     */
    public void attempt(ObjectNode pi, ObjectNode pm, String returnUrl, boolean offSession) {
        String pmId = pm.get("id").asText();
        CardProfile card = state.cardOf(pmId);
        pi.put("payment_method", pmId);
        pi.putNull("last_payment_error");
        pi.putNull("next_action");
        Outcome outcome = card == null ? Outcome.SUCCEED : card.outcome();
        if (outcome == Outcome.REQUIRE_AUTHENTICATION
                && CardCatalog.authenticatedOnceSetUp(card)
                && state.isSetUp(pmId)) {
            outcome = Outcome.SUCCEED;
        }
        switch (outcome) {
            case REQUIRE_AUTHENTICATION -> {
                if (offSession) {
                    throw decline(pi, pm, authenticationRequired(card));
                }
                requireAction(pi, returnUrl);
            }
            case DECLINE -> throw decline(pi, pm, card);
            default -> succeedOrProcess(pi, pm, false);
        }
    }

    /** The decline of an off-session payment that needed the customer to authenticate. */
    private static CardProfile authenticationRequired(CardProfile card) {
        return new CardProfile(
                card.number(),
                card.brand(),
                card.funding(),
                Outcome.DECLINE,
                "authentication_required",
                "authentication_required",
                "Your card was declined. This transaction requires authentication.");
    }

    /**
     * A PaymentIntent for money Stripe collects itself (an invoice, a Checkout Session), created and
     * confirmed with {@code pm} at once. Answers the decline or 3-D Secure demand as an error (the
     * PaymentIntent keeps it), or null when the payment succeeded.
     */
    public StripeApiError collect(
            long amount, String currency, String customer, ObjectNode pm, String description, ObjectNode metadata) {
        ObjectNode pi = newIntent(amount, currency, customer, description, metadata);
        lastCollected = pi;
        return retry(pi, pm);
    }

    /** A PaymentIntent waiting for a payment method ({@code payment_intent.created}), as invoices make. */
    public ObjectNode newIntent(
            long amount, String currency, String customer, String description, ObjectNode metadata) {
        ObjectNode pi = Templates.blank("payment_intent");
        String id = Ids.newId("pi");
        pi.put("id", id);
        pi.put("amount", amount);
        pi.put("currency", currency);
        pi.put("created", state.now());
        pi.put("client_secret", id + "_secret_" + Ids.random(25));
        if (customer != null) {
            pi.put("customer", customer);
        }
        if (description != null) {
            pi.put("description", description);
        }
        if (metadata != null) {
            pi.set("metadata", metadata.deepCopy());
        }
        state.put(pi);
        state.events().publish("payment_intent.created", pi);
        return pi;
    }

    /**
     * Who hears of every PaymentIntent that succeeds or fails however it was confirmed (invoices whose
     * PaymentIntent a customer confirms with its client secret).
     */
    public interface Listener {
        /** {@code pi} succeeded. */
        void succeeded(ObjectNode pi);

        /** A payment of {@code pi} failed. */
        void failed(ObjectNode pi);
    }

    /** Adds a listener. */
    public void addListener(Listener listener) {
        listeners.add(listener);
    }

    /** Confirms a PaymentIntent of {@link #collect} again with {@code pm}; answers as {@link #collect}. */
    public StripeApiError retry(ObjectNode pi, ObjectNode pm) {
        try {
            attempt(pi, pm, null);
        } catch (StripeApiError declined) {
            return declined;
        }
        if ("requires_action".equals(Json.text(pi, "status"))) {
            return StripeApiError.card(
                            "authentication_required",
                            "authentication_required",
                            null,
                            "Your card was declined. This transaction requires authentication.")
                    .with("payment_intent", pi.deepCopy());
        }
        return null;
    }

    /** The PaymentIntent the last {@link #collect} made (under the same lock). */
    public ObjectNode lastCollected() {
        return lastCollected;
    }

    private void requireAction(ObjectNode pi, String returnUrl) {
        pi.set("next_action", threeDSecureAction(state, pi.get("id").asText(), returnUrl));
        pi.put("status", "requires_action");
        state.events().publish("payment_intent.requires_action", pi);
    }

    /**
     * The {@code next_action} of a PaymentIntent or SetupIntent waiting for 3-D Secure: a redirect to
     * FakeStripe's 3-D Secure page when there is a {@code return_url}, else what Stripe.js handles.
     */
    static ObjectNode threeDSecureAction(FakeStripeState state, String intentId, String returnUrl) {
        String url = state.apiBase() + "/_testkit/3ds/" + intentId;
        ObjectNode next = Json.object();
        if (returnUrl != null) {
            ObjectNode redirect = Json.object();
            redirect.put("return_url", returnUrl);
            redirect.put("url", url);
            next.set("redirect_to_url", redirect);
            next.put("type", "redirect_to_url");
        } else {
            ObjectNode sdk = Json.object();
            sdk.put("source", Ids.newId("src"));
            sdk.put("stripe_js", url);
            sdk.put("type", "three_d_secure_redirect");
            next.put("type", "use_stripe_sdk");
            next.set("use_stripe_sdk", sdk);
        }
        return next;
    }

    /** Completes 3-D Secure on a PaymentIntent in {@code requires_action}. */
    public ObjectNode authenticate(String paymentIntentId, boolean succeed) {
        ObjectNode pi = requirePi(paymentIntentId);
        if (!"requires_action".equals(Json.text(pi, "status"))) {
            throw new IllegalStateException(
                    "PaymentIntent " + paymentIntentId + " is " + Json.text(pi, "status") + ", not requires_action");
        }
        ObjectNode pm = state.store().find("payment_method", Json.text(pi, "payment_method"));
        pi.putNull("next_action");
        if (succeed) {
            succeedOrProcess(pi, pm, true);
        } else {
            ObjectNode error = Json.object();
            error.put("code", "payment_intent_authentication_failure");
            error.put("doc_url", "https://stripe.com/docs/error-codes/payment-intent-authentication-failure");
            error.put(
                    "message",
                    "The provided PaymentMethod has failed authentication. You can provide"
                            + " payment_method_data or a new PaymentMethod to attempt to fulfill this PaymentIntent"
                            + " again.");
            if (pm != null) {
                error.set("payment_method", pm.deepCopy());
            }
            error.put("type", "invalid_request_error");
            pi.set("last_payment_error", error);
            pi.put("status", "requires_payment_method");
            state.events().publish("payment_intent.payment_failed", pi);
            listeners.forEach(l -> l.failed(pi));
        }
        return pi;
    }

    /** Ends {@code processing}: the charge succeeds, or is declined ({@code generic_decline}). */
    public ObjectNode completeProcessing(String paymentIntentId, boolean succeed) {
        ObjectNode pi = requirePi(paymentIntentId);
        if (!"processing".equals(Json.text(pi, "status"))) {
            throw new IllegalStateException(
                    "PaymentIntent " + paymentIntentId + " is " + Json.text(pi, "status") + ", not processing");
        }
        ObjectNode pm = state.store().find("payment_method", Json.text(pi, "payment_method"));
        pi.putNull("processing");
        if (succeed) {
            succeed(pi, pm, false);
        } else {
            CardProfile generic = new CardProfile(
                    "0000",
                    "visa",
                    "credit",
                    Outcome.DECLINE,
                    "card_declined",
                    "generic_decline",
                    "Your card was declined.");
            decline(pi, pm, generic);
        }
        return pi;
    }

    private ObjectNode requirePi(String id) {
        ObjectNode pi = state.store().find("payment_intent", id);
        if (pi == null) {
            throw new IllegalArgumentException("No such PaymentIntent: " + id);
        }
        return pi;
    }

    private void succeedOrProcess(ObjectNode pi, ObjectNode pm, boolean authenticated) {
        saveForFutureUse(pi, pm);
        if (state.asyncCardPayments()) {
            ObjectNode processing = Json.object();
            processing.set("card", Json.object());
            processing.put("type", "card");
            pi.set("processing", processing);
            pi.put("status", "processing");
            state.events().publish("payment_intent.processing", pi);
            return;
        }
        succeed(pi, pm, authenticated);
    }

    /**
     * {@code setup_future_usage}: a successful payment saves its card to the PaymentIntent's customer
     * ({@code payment_method.attached}) and sets it up for later payments, as Stripe does.
     */
    private void saveForFutureUse(ObjectNode pi, ObjectNode pm) {
        if (pm == null || Json.text(pi, "setup_future_usage") == null) {
            return;
        }
        state.markSetUp(pm.get("id").asText());
        String customer = Json.text(pi, "customer");
        if (customer != null && pm.get("customer").isNull()) {
            paymentMethods.attach(pm, customer);
        }
    }

    private void succeed(ObjectNode pi, ObjectNode pm, boolean authenticated) {
        ObjectNode charge = newCharge(pi, pm, true, authenticated);
        long amount = pi.get("amount").asLong();
        ObjectNode txn = balance.record(
                "charge",
                amount,
                BalanceTransactions.cardFee(amount),
                pi.get("currency").asText(),
                charge.get("id").asText(),
                "charge",
                Json.text(pi, "description"));
        charge.put("balance_transaction", txn.get("id").asText());
        pi.put("status", "succeeded");
        pi.put("amount_received", amount);
        pi.put("latest_charge", charge.get("id").asText());
        pi.putNull("last_payment_error");
        pi.putNull("next_action");
        state.events().publish("charge.succeeded", charge);
        state.events().publish("payment_intent.succeeded", pi);
        listeners.forEach(l -> l.succeeded(pi));
        CardProfile card = pm == null ? null : state.cardOf(pm.get("id").asText());
        if (card != null && card.outcome() == Outcome.SUCCEED_THEN_DISPUTE) {
            disputes.open(charge.get("id").asText(), "fraudulent", null);
        }
    }

    private StripeApiError decline(ObjectNode pi, ObjectNode pm, CardProfile card) {
        ObjectNode charge = newCharge(pi, pm, false, false);
        charge.put("failure_code", card.code());
        charge.put("failure_message", card.message());
        ObjectNode outcome = (ObjectNode) charge.get("outcome");
        outcome.put("network_status", "declined_by_network");
        outcome.put("reason", card.declineCode());
        outcome.put("seller_message", "The bank did not return any further details with this decline.");
        outcome.put("type", "issuer_declined");
        ObjectNode error = Json.object();
        error.put("charge", charge.get("id").asText());
        error.put("code", card.code());
        error.put("decline_code", card.declineCode());
        error.put(
                "doc_url", "https://stripe.com/docs/error-codes/" + card.code().replace('_', '-'));
        error.put("message", card.message());
        if (pm != null) {
            error.set("payment_method", pm.deepCopy());
        }
        error.put("type", "card_error");
        pi.set("last_payment_error", error);
        pi.put("latest_charge", charge.get("id").asText());
        pi.put("status", "requires_payment_method");
        pi.putNull("next_action");
        state.events().publish("charge.failed", charge);
        state.events().publish("payment_intent.payment_failed", pi);
        listeners.forEach(l -> l.failed(pi));
        StripeApiError apiError = StripeApiError.card(card.code(), card.declineCode(), null, card.message())
                .with("charge", charge.get("id").asText())
                .with("payment_intent", pi.deepCopy());
        if (pm != null) {
            apiError.with("payment_method", pm.deepCopy());
        }
        return apiError;
    }

    private ObjectNode newCharge(ObjectNode pi, ObjectNode pm, boolean succeeded, boolean authenticated) {
        ObjectNode charge = Templates.blank("charge");
        String id = Ids.newId("ch");
        long amount = pi.get("amount").asLong();
        charge.put("id", id);
        charge.put("amount", amount);
        charge.put("created", state.now());
        charge.put("currency", pi.get("currency").asText());
        charge.set("customer", pi.get("customer").deepCopy());
        charge.set("description", pi.get("description").deepCopy());
        charge.set("metadata", pi.get("metadata").deepCopy());
        charge.put("payment_intent", pi.get("id").asText());
        charge.set("receipt_email", pi.get("receipt_email").deepCopy());
        charge.set("statement_descriptor", pi.get("statement_descriptor").deepCopy());
        charge.set(
                "statement_descriptor_suffix",
                pi.get("statement_descriptor_suffix").deepCopy());
        charge.set("shipping", pi.get("shipping").deepCopy());
        ((ObjectNode) charge.get("refunds")).put("url", "/v1/charges/" + id + "/refunds");
        if (pm != null) {
            charge.put("payment_method", pm.get("id").asText());
            charge.set("billing_details", pm.get("billing_details").deepCopy());
            ObjectNode pmCard = (ObjectNode) pm.get("card");
            ObjectNode card = (ObjectNode) charge.get("payment_method_details").get("card");
            for (String f :
                    new String[] {"brand", "country", "exp_month", "exp_year", "fingerprint", "funding", "last4"}) {
                card.set(f, pmCard.get(f).deepCopy());
            }
            card.put("network", pmCard.get("brand").asText());
            if (authenticated) {
                ObjectNode tds = Json.object();
                tds.put("authentication_flow", "challenge");
                tds.put("electronic_commerce_indicator", "05");
                tds.putNull("exemption_indicator");
                tds.put("result", "authenticated");
                tds.putNull("result_reason");
                tds.put("transaction_id", UUID.randomUUID().toString());
                tds.put("version", "2.2.0");
                card.set("three_d_secure", tds);
            }
            if (succeeded) {
                card.put("amount_authorized", amount);
                card.put("authorization_code", String.valueOf(100000 + (Math.abs(id.hashCode()) % 900000)));
                ((ObjectNode) card.get("overcapture")).put("maximum_amount_capturable", amount);
            }
        }
        if (succeeded) {
            charge.put("status", "succeeded");
            charge.put("paid", true);
            charge.put("captured", true);
            charge.put("amount_captured", amount);
            charge.put("receipt_url", state.apiBase() + "/_testkit/receipts/" + id);
        } else {
            charge.put("status", "failed");
        }
        return state.put(charge);
    }
}
