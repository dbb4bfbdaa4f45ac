package dev.tokenbilling.testkit.stripe.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code /v1/refunds}: full and partial refunds of a succeeded charge (named directly or through its
 * PaymentIntent), with {@code charge.refunded} carrying {@code amount_refunded}.
 */
public final class RefundsApi {
    private final FakeStripeState state;
    private final BalanceTransactions balance;
    private final Disputes disputes;

    /** Over this state. */
    public RefundsApi(FakeStripeState state, BalanceTransactions balance, Disputes disputes) {
        this.state = state;
        this.balance = balance;
        this.disputes = disputes;
    }

    /** Registers the routes. */
    public void register(Router router) {
        router.add("POST", "/v1/refunds", this::create);
        router.add(
                "GET",
                "/v1/refunds/{id}",
                r -> Render.one(state, state.store().require("refund", r.id(), "id"), r.params()));
        router.add("GET", "/v1/refunds", this::list);
        router.add("POST", "/v1/refunds/{id}", this::update);
        router.add("POST", "/v1/refunds/{id}/cancel", r -> {
            state.store().require("refund", r.id(), "id");
            throw StripeApiError.invalidRequest(
                    null, null, "Only refunds with a status of pending or requires_action can be canceled.");
        });
    }

    private ObjectNode create(ApiRequest req) {
        Params p = req.params()
                .allowOnly(
                        "charge",
                        "payment_intent",
                        "amount",
                        "reason",
                        "metadata",
                        "instructions_email",
                        "refund_application_fee",
                        "reverse_transfer",
                        "origin",
                        "currency",
                        "customer");
        String chargeId = p.string("charge");
        String piId = p.string("payment_intent");
        if (chargeId == null && piId == null) {
            throw StripeApiError.missingParam("charge");
        }
        if (chargeId != null && piId != null) {
            throw StripeApiError.invalidParam(
                    "payment_intent", "You may only specify one of these parameters: charge, payment_intent.");
        }
        ObjectNode charge;
        if (piId != null) {
            ObjectNode pi = state.store().require("payment_intent", piId, "payment_intent");
            if (!"succeeded".equals(Json.text(pi, "status"))
                    || !pi.get("latest_charge").isTextual()) {
                throw StripeApiError.invalidRequest(
                        "charge_not_refundable",
                        "payment_intent",
                        "This PaymentIntent (" + piId + ") does not have a successful charge to refund.");
            }
            charge = state.store().find("charge", pi.get("latest_charge").asText());
        } else {
            charge = state.store().require("charge", chargeId, "charge");
            if (!"succeeded".equals(Json.text(charge, "status"))) {
                throw StripeApiError.invalidRequest(
                        "charge_not_refundable",
                        "charge",
                        "Charge " + chargeId + " did not succeed and cannot be refunded.");
            }
        }
        String id = charge.get("id").asText();
        if (disputes.hasOpenDispute(id)) {
            throw StripeApiError.invalidRequest(
                    "charge_disputed", null, "Charge " + id + " has been charged back; cannot issue a refund.");
        }
        long captured = charge.get("amount_captured").asLong();
        long refunded = charge.get("amount_refunded").asLong();
        long remaining = captured - refunded;
        if (remaining <= 0) {
            throw StripeApiError.invalidRequest(
                    "charge_already_refunded", null, "Charge " + id + " has already been refunded.");
        }
        Long asked = p.integer("amount");
        long amount = asked == null ? remaining : asked;
        if (amount < 1) {
            throw StripeApiError.invalidRequest(
                    "parameter_invalid_integer", "amount", "This value must be greater than or equal to 1.");
        }
        if (amount > remaining) {
            throw StripeApiError.invalidRequest(
                    "amount_too_large",
                    "amount",
                    "Refund amount (" + amount + ") is greater than unrefunded amount on charge (" + remaining + ")");
        }
        String reason = p.oneOf("reason", Set.of("duplicate", "fraudulent", "requested_by_customer"));
        String currency = charge.get("currency").asText();
        ObjectNode refund = Templates.blank("refund");
        String refundId = Ids.newId("re");
        refund.put("id", refundId);
        refund.put("amount", amount);
        refund.put("charge", id);
        refund.put("created", state.now());
        refund.put("currency", currency);
        refund.set("customer", charge.get("customer").deepCopy());
        refund.set("payment_intent", charge.get("payment_intent").deepCopy());
        refund.set("payment_method", charge.get("payment_method").deepCopy());
        if (reason != null) {
            refund.put("reason", reason);
        }
        Updates.applyMetadata(refund, p);
        ObjectNode txn = balance.record("refund", -amount, 0, currency, refundId, "refund", "REFUND FOR CHARGE");
        refund.put("balance_transaction", txn.get("id").asText());
        state.put(refund);

        ObjectNode before = charge.deepCopy();
        charge.put("amount_refunded", refunded + amount);
        charge.put("refunded", refunded + amount == captured);
        ObjectNode refunds = (ObjectNode) charge.get("refunds");
        ((ArrayNode) refunds.get("data")).insert(0, refund.deepCopy());
        refunds.put("total_count", refunds.get("data").size());
        ObjectNode previous = Updates.previousAttributes(before, charge);
        previous.remove("refunds");
        state.events().publish("charge.refunded", charge, previous);
        state.events().publish("refund.created", refund);
        String paymentMethod = Json.text(charge, "payment_method");
        CardProfile card = paymentMethod == null ? null : state.cardOf(paymentMethod);
        if (card != null && card.outcome() == CardProfile.Outcome.SUCCEED_THEN_REFUNDS_FAIL) {
            fail(refundId);
        }
        return Render.one(state, refund, p);
    }

    /**
     * Fails a succeeded or pending refund, as a bank that cannot return the money does: the refund
     * becomes {@code failed}, its money goes back to the balance and off the charge's
     * {@code amount_refunded}; {@code charge.refund.updated}, {@code refund.updated} and
     * {@code refund.failed} are sent.
     */
    public ObjectNode fail(String refundId) {
        ObjectNode refund = state.store().require("refund", refundId, "id");
        String status = Json.text(refund, "status");
        if (!"succeeded".equals(status) && !"pending".equals(status)) {
            throw StripeApiError.invalidRequest(
                    null, null, "Refund " + refundId + " is " + status + " and cannot fail.");
        }
        ObjectNode before = refund.deepCopy();
        long amount = refund.get("amount").asLong();
        String currency = refund.get("currency").asText();
        ObjectNode txn =
                balance.record("refund_failure", amount, 0, currency, refundId, "refund_failure", "REFUND FAILURE");
        refund.put("status", "failed");
        refund.put("failure_reason", "expired_or_canceled_card");
        refund.put("failure_balance_transaction", txn.get("id").asText());
        ObjectNode previous = Updates.previousAttributes(before, refund);

        ObjectNode charge = state.store().find("charge", refund.get("charge").asText());
        charge.put("amount_refunded", charge.get("amount_refunded").asLong() - amount);
        charge.put("refunded", false);
        for (var listed : charge.get("refunds").get("data")) {
            if (listed.path("id").asText().equals(refundId)) {
                ((ObjectNode) listed).setAll(refund.deepCopy());
            }
        }
        state.events().publish("charge.refund.updated", refund, previous);
        state.events().publish("refund.updated", refund, previous);
        state.events().publish("refund.failed", refund, previous);
        return refund;
    }

    private ObjectNode list(ApiRequest req) {
        Params p = req.params();
        List<String> allowed = new ArrayList<>(Lists.PAGING);
        allowed.addAll(List.of("charge", "payment_intent", "created"));
        p.allowOnly(allowed);
        List<ObjectNode> items = state.store()
                .newestFirst(
                        "refund",
                        r -> Lists.textEquals(r, "charge", p, "charge")
                                && Lists.textEquals(r, "payment_intent", p, "payment_intent")
                                && Lists.inRange(r, "created", p, "created"));
        return Lists.page("/v1/refunds", items, p, n -> Render.item(state, n, p));
    }

    private ObjectNode update(ApiRequest req) {
        Params p = req.params().allowOnly("metadata");
        ObjectNode refund = state.store().require("refund", req.id(), "id");
        ObjectNode before = refund.deepCopy();
        Updates.applyMetadata(refund, p);
        ObjectNode previous = Updates.previousAttributes(before, refund);
        if (!previous.isEmpty()) {
            state.events().publish("refund.updated", refund, previous);
        }
        return Render.one(state, refund, p);
    }
}
