package dev.tokenbilling.testkit.stripe.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Disputes: opened, won or lost by test helpers (Stripe opens them from the card network), and {@code
 * /v1/disputes} to retrieve, list, update (evidence) and close (accept) them.
 */
public final class Disputes {
    private static final Set<String> OPEN =
            Set.of("needs_response", "warning_needs_response", "under_review", "warning_under_review");
    private static final Set<String> REASONS = Set.of(
            "bank_cannot_process",
            "check_returned",
            "credit_not_processed",
            "customer_initiated",
            "debit_not_authorized",
            "duplicate",
            "fraudulent",
            "general",
            "incorrect_account_details",
            "insufficient_funds",
            "noncompliant",
            "product_not_received",
            "product_unacceptable",
            "subscription_canceled",
            "unrecognized");

    private final FakeStripeState state;
    private final BalanceTransactions balance;

    /** Over this state. */
    public Disputes(FakeStripeState state, BalanceTransactions balance) {
        this.state = state;
        this.balance = balance;
    }

    /** Registers the routes. */
    public void register(Router router) {
        router.add(
                "GET",
                "/v1/disputes/{id}",
                r -> Render.one(state, state.store().require("dispute", r.id(), "id"), r.params()));
        router.add("GET", "/v1/disputes", this::list);
        router.add("POST", "/v1/disputes/{id}", this::update);
        router.add("POST", "/v1/disputes/{id}/close", this::close);
    }

    /**
     * Opens a dispute on a succeeded charge (or a PaymentIntent's latest charge).
     *
     * @param amount disputed amount, or null for the whole charge
     * @throws IllegalArgumentException for an unknown id or a charge that cannot be disputed
     */
    public ObjectNode open(String chargeOrPaymentIntentId, String reason, Long amount) {
        ObjectNode charge = chargeOf(chargeOrPaymentIntentId);
        if (!"succeeded".equals(Json.text(charge, "status"))) {
            throw new IllegalArgumentException("Charge " + charge.get("id").asText() + " did not succeed");
        }
        if (charge.get("disputed").asBoolean()) {
            throw new IllegalArgumentException("Charge " + charge.get("id").asText() + " is already disputed");
        }
        if (!REASONS.contains(reason)) {
            throw new IllegalArgumentException("Unknown dispute reason " + reason + "; use one of " + REASONS);
        }
        long disputed = amount == null ? charge.get("amount").asLong() : amount;
        if (disputed <= 0 || disputed > charge.get("amount").asLong()) {
            throw new IllegalArgumentException("Dispute amount must be between 1 and the charge amount");
        }
        ObjectNode dispute = Templates.blank("dispute");
        String id = Ids.newId("dp");
        long now = state.now();
        dispute.put("id", id);
        dispute.put("amount", disputed);
        dispute.put("charge", charge.get("id").asText());
        dispute.put("created", now);
        dispute.put("currency", charge.get("currency").asText());
        dispute.set("payment_intent", charge.get("payment_intent").deepCopy());
        dispute.put("reason", reason);
        dispute.put("status", "needs_response");
        ((ObjectNode) dispute.get("evidence_details")).put("due_by", now + 7 * 24 * 3600);
        ObjectNode chargeCard =
                (ObjectNode) charge.get("payment_method_details").get("card");
        ObjectNode disputeCard =
                (ObjectNode) dispute.get("payment_method_details").get("card");
        disputeCard.put("brand", chargeCard.get("brand").asText());
        disputeCard.put("network", chargeCard.get("network").asText());
        ObjectNode txn = balance.record(
                "adjustment",
                -disputed,
                1500,
                dispute.get("currency").asText(),
                id,
                "dispute",
                "Chargeback withdrawal for " + charge.get("id").asText());
        ((ArrayNode) dispute.get("balance_transactions")).add(txn.deepCopy());
        state.put(dispute);
        ObjectNode before = charge.deepCopy();
        charge.put("disputed", true);
        state.events().publish("charge.dispute.created", dispute);
        state.events().publish("charge.updated", charge, Updates.previousAttributes(before, charge));
        state.events().publish("charge.dispute.funds_withdrawn", dispute);
        return dispute;
    }

    /** Closes an open dispute as won (funds reinstated) or lost. */
    public ObjectNode close(String disputeId, boolean won) {
        ObjectNode dispute = state.store().find("dispute", disputeId);
        if (dispute == null) {
            throw new IllegalArgumentException("No such dispute: " + disputeId);
        }
        if (!OPEN.contains(Json.text(dispute, "status"))) {
            throw new IllegalStateException(
                    "Dispute " + disputeId + " is " + Json.text(dispute, "status") + ", not open");
        }
        dispute.put("status", won ? "won" : "lost");
        if (won) {
            long amount = dispute.get("amount").asLong();
            ObjectNode txn = balance.record(
                    "adjustment",
                    amount,
                    -1500,
                    dispute.get("currency").asText(),
                    disputeId,
                    "dispute_reversal",
                    "Chargeback reversal for " + Json.text(dispute, "charge"));
            ((ArrayNode) dispute.get("balance_transactions")).add(txn.deepCopy());
        }
        state.events().publish("charge.dispute.closed", dispute);
        if (won) {
            state.events().publish("charge.dispute.funds_reinstated", dispute);
        }
        return dispute;
    }

    private ObjectNode chargeOf(String id) {
        ObjectNode charge = state.store().find("charge", id);
        if (charge == null) {
            ObjectNode pi = state.store().find("payment_intent", id);
            if (pi != null && pi.get("latest_charge").isTextual()) {
                charge = state.store().find("charge", pi.get("latest_charge").asText());
            }
        }
        if (charge == null) {
            throw new IllegalArgumentException("No charge or PaymentIntent with a charge: " + id);
        }
        return charge;
    }

    /** Whether the charge has a dispute that is still open. */
    public boolean hasOpenDispute(String chargeId) {
        return !state.store()
                .newestFirst(
                        "dispute",
                        d -> chargeId.equals(Json.text(d, "charge")) && OPEN.contains(Json.text(d, "status")))
                .isEmpty();
    }

    private ObjectNode list(ApiRequest req) {
        Params p = req.params();
        List<String> allowed = new ArrayList<>(Lists.PAGING);
        allowed.addAll(List.of("charge", "payment_intent", "created"));
        p.allowOnly(allowed);
        List<ObjectNode> items = state.store()
                .newestFirst(
                        "dispute",
                        d -> Lists.textEquals(d, "charge", p, "charge")
                                && Lists.textEquals(d, "payment_intent", p, "payment_intent")
                                && Lists.inRange(d, "created", p, "created"));
        return Lists.page("/v1/disputes", items, p, n -> Render.item(state, n, p));
    }

    private ObjectNode update(ApiRequest req) {
        Params p = req.params().allowOnly("evidence", "metadata", "submit");
        ObjectNode dispute = state.store().require("dispute", req.id(), "id");
        if (!OPEN.contains(Json.text(dispute, "status"))) {
            throw StripeApiError.invalidParam(null, "This dispute is already closed.");
        }
        ObjectNode before = dispute.deepCopy();
        Params evidence = p.map("evidence");
        if (evidence != null) {
            ObjectNode target = (ObjectNode) dispute.get("evidence");
            for (String key : evidence.keys()) {
                if (!target.has(key) || key.equals("enhanced_evidence")) {
                    throw StripeApiError.unknownParam(evidence.name(key));
                }
                Updates.text(target, evidence, key);
            }
            ((ObjectNode) dispute.get("evidence_details")).put("has_evidence", true);
        }
        Updates.applyMetadata(dispute, p);
        if (Boolean.TRUE.equals(p.bool("submit"))) {
            dispute.put("status", "under_review");
            ObjectNode details = (ObjectNode) dispute.get("evidence_details");
            details.put("submission_count", details.get("submission_count").asInt() + 1);
        }
        state.events().publish("charge.dispute.updated", dispute, Updates.previousAttributes(before, dispute));
        return Render.one(state, dispute, p);
    }

    private ObjectNode close(ApiRequest req) {
        ObjectNode dispute = state.store().require("dispute", req.id(), "id");
        if (!OPEN.contains(Json.text(dispute, "status"))) {
            throw StripeApiError.invalidParam(null, "This dispute is already closed.");
        }
        return Render.one(state, close(req.id(), false), req.params());
    }
}
