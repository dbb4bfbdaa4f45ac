package dev.tokenbilling.testkit.stripe.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenbilling.testkit.stripe.internal.CardProfile.Outcome;

/**
 * What happens when a SetupIntent is confirmed with a card: no charge, but the card is checked as
 * Stripe's test cards are ({@code requires_payment_method -> requires_action -> succeeded}, or back with
 * {@code last_setup_error}), and a card set up is saved to the SetupIntent's customer. Called under the
 * state lock.
 */
public final class CardSetups {
    private final FakeStripeState state;
    private final PaymentMethodsApi paymentMethods;

    /** Over this state. */
    public CardSetups(FakeStripeState state, PaymentMethodsApi paymentMethods) {
        this.state = state;
        this.paymentMethods = paymentMethods;
    }

    /**
     * Sets up {@code pm} for {@code si}. Throws the 402 {@code card_error} of a declined card after
     * recording it ({@code setup_intent.setup_failed}).
     *
     * @param returnUrl where a 3-D Secure redirect returns to, or null (then {@code use_stripe_sdk})
     */
    public void confirm(ObjectNode si, ObjectNode pm, String returnUrl) {
        CardProfile card = state.cardOf(pm.get("id").asText());
        si.put("payment_method", pm.get("id").asText());
        si.putNull("last_setup_error");
        si.putNull("next_action");
        switch (card == null ? Outcome.SUCCEED : card.outcome()) {
            case REQUIRE_AUTHENTICATION -> {
                // Every card that asks for authentication asks for it when it is set up.
                si.set(
                        "next_action",
                        Payments.threeDSecureAction(state, si.get("id").asText(), returnUrl));
                si.put("status", "requires_action");
                state.events().publish("setup_intent.requires_action", si);
            }
            case DECLINE -> throw decline(si, pm, card);
            default -> succeed(si, pm);
        }
    }

    /** Completes 3-D Secure on a SetupIntent in {@code requires_action}. */
    public ObjectNode authenticate(String setupIntentId, boolean succeed) {
        ObjectNode si = state.store().find("setup_intent", setupIntentId);
        if (si == null) {
            throw new IllegalArgumentException("No such SetupIntent: " + setupIntentId);
        }
        if (!"requires_action".equals(Json.text(si, "status"))) {
            throw new IllegalStateException(
                    "SetupIntent " + setupIntentId + " is " + Json.text(si, "status") + ", not requires_action");
        }
        ObjectNode pm = state.store().find("payment_method", Json.text(si, "payment_method"));
        si.putNull("next_action");
        if (succeed) {
            succeed(si, pm);
            return si;
        }
        ObjectNode error = Json.object();
        error.put("code", "setup_intent_authentication_failure");
        error.put("doc_url", "https://stripe.com/docs/error-codes/setup-intent-authentication-failure");
        error.put(
                "message",
                "The latest attempt to set up the payment method has failed because authentication failed."
                        + " Provide a new payment method to attempt to set up again.");
        if (pm != null) {
            error.set("payment_method", pm.deepCopy());
        }
        error.put("type", "invalid_request_error");
        si.set("last_setup_error", error);
        si.putNull("payment_method");
        si.put("status", "requires_payment_method");
        state.events().publish("setup_intent.setup_failed", si);
        return si;
    }

    private void succeed(ObjectNode si, ObjectNode pm) {
        String customer = Json.text(si, "customer");
        if (pm != null) {
            if (customer != null) {
                paymentMethods.attach(pm, customer);
            }
            state.markSetUp(pm.get("id").asText());
        }
        si.put("status", "succeeded");
        si.putNull("last_setup_error");
        si.putNull("next_action");
        state.events().publish("setup_intent.succeeded", si);
    }

    private StripeApiError decline(ObjectNode si, ObjectNode pm, CardProfile card) {
        ObjectNode error = Json.object();
        error.put("code", card.code());
        error.put("decline_code", card.declineCode());
        error.put(
                "doc_url", "https://stripe.com/docs/error-codes/" + card.code().replace('_', '-'));
        error.put("message", card.message());
        error.set("payment_method", pm.deepCopy());
        error.put("type", "card_error");
        si.set("last_setup_error", error);
        // As after a failed payment, the card is left only in last_setup_error.payment_method.
        si.putNull("payment_method");
        si.put("status", "requires_payment_method");
        state.events().publish("setup_intent.setup_failed", si);
        return StripeApiError.card(card.code(), card.declineCode(), null, card.message())
                .with("setup_intent", si.deepCopy())
                .with("payment_method", pm.deepCopy());
    }
}
