package dev.tokenbilling.testkit.stripe.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Balance transactions behind charges, refunds and disputes ({@code txn_...}), with Stripe's standard
 * card fee (2.9% + 30 in the minor unit) on charges; and {@code /v1/balance_transactions}.
 */
public final class BalanceTransactions {
    private final FakeStripeState state;

    /** Over this state. */
    public BalanceTransactions(FakeStripeState state) {
        this.state = state;
    }

    /** Registers the routes. */
    public void register(Router router) {
        router.add(
                "GET",
                "/v1/balance_transactions/{id}",
                r -> Render.one(state, state.store().require("balance_transaction", r.id(), "id"), r.params()));
        router.add("GET", "/v1/balance_transactions", this::list);
    }

    /**
     * Records a balance transaction.
     *
     * @param type Stripe's type: {@code charge}, {@code refund}, {@code adjustment}
     * @param amount signed amount
     * @param fee fee (positive)
     * @param category reporting category: {@code charge}, {@code refund}, {@code dispute}, {@code
     *     dispute_reversal}
     */
    public ObjectNode record(
            String type, long amount, long fee, String currency, String source, String category, String description) {
        ObjectNode txn = Templates.blank("balance_transaction");
        long now = state.now();
        txn.put("id", Ids.newId("txn"));
        txn.put("amount", amount);
        txn.put("available_on", now + 2 * 24 * 3600);
        txn.put("created", now);
        txn.put("currency", currency);
        if (description != null) {
            txn.put("description", description);
        }
        txn.put("fee", fee);
        if (fee != 0) {
            ObjectNode detail = Json.object();
            detail.put("amount", fee);
            detail.putNull("application");
            detail.put("currency", currency);
            detail.put("description", category.startsWith("dispute") ? "Dispute fee" : "Stripe processing fees");
            detail.put("type", "stripe_fee");
            txn.set("fee_details", Json.array().add(detail));
        }
        txn.put("net", amount - fee);
        txn.put("reporting_category", category);
        txn.put("source", source);
        txn.put("type", type);
        return state.put(txn);
    }

    /** Stripe's standard card fee: 2.9% + 30. */
    public static long cardFee(long amount) {
        return Math.round(amount * 0.029) + 30;
    }

    private ObjectNode list(ApiRequest req) {
        Params p = req.params();
        List<String> allowed = new ArrayList<>(Lists.PAGING);
        allowed.addAll(List.of("created", "type", "source", "currency", "payout"));
        p.allowOnly(allowed);
        List<ObjectNode> items = state.store()
                .newestFirst(
                        "balance_transaction",
                        t -> Lists.inRange(t, "created", p, "created")
                                && Lists.textEquals(t, "type", p, "type")
                                && Lists.textEquals(t, "source", p, "source")
                                && Lists.textEquals(t, "currency", p, "currency"));
        return Lists.page("/v1/balance_transactions", items, p, n -> Render.item(state, n, p));
    }
}
