package dev.tokenbilling.internal.recharge;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenbilling.internal.stripe.StripeJson;
import dev.tokenbilling.model.RechargeAttempt;
import dev.tokenbilling.store.BillingStore;
import java.time.Instant;
import java.util.Optional;

/** The outbox events of recharges, each written in the transaction that moved the attempt. */
public final class RechargeEvents {

    private RechargeEvents() {}

    /** {@code type}: {@code recharge.succeeded}, {@code recharge.failed} or {@code recharge.needs_action}. */
    static void append(
            BillingStore tx,
            String type,
            RechargeAttempt attempt,
            Optional<String> reason,
            boolean paused,
            Instant at) {
        ObjectNode data = StripeJson.MAPPER.createObjectNode();
        data.put("attempt_id", attempt.id());
        data.put("status", attempt.status().wireName());
        attempt.purchaseId().ifPresent(id -> data.put("purchase_id", id));
        attempt.paymentIntentId().ifPresent(id -> data.put("payment_intent", id));
        reason.ifPresent(text -> data.put("reason", text));
        data.put("rule_paused", paused);
        tx.outbox().append(attempt.userId(), type, data.toString(), at);
    }
}
