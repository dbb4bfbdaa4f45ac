package dev.tokenbilling.internal.recharge;

import dev.tokenbilling.model.Purchase;
import dev.tokenbilling.model.RechargeAttempt;
import dev.tokenbilling.model.RechargeRule;
import dev.tokenbilling.model.RechargeStatus;
import dev.tokenbilling.store.BillingStore;
import java.time.Instant;
import java.util.Optional;

/**
 * What a completed purchase means for auto-recharge: when it paid for a recharge (the worker's
 * off-session payment, or the user's on-session confirmation after "action needed"), the attempt
 * succeeded, the rule's failures reset, and a rule paused for the user's action runs again. Called
 * in the purchase's completing transaction, so it happens exactly once with the credit.
 */
public final class RechargeCompletion {

    /** The metadata that marks a recharge's PaymentIntent (the worker sets it). */
    public static final String ATTEMPT_METADATA = "recharge_attempt";

    /** The pause reason of a card that needs the user: their confirmation resumes the rule. */
    static final String NEEDS_USER = "authentication_required";

    private RechargeCompletion() {}

    public static void purchaseCompleted(BillingStore tx, Purchase purchase, Instant at) {
        Optional<RechargeAttempt> attempt = tx.recharges().findByPurchase(purchase.userId(), purchase.id());
        if (attempt.isEmpty() || attempt.get().status() == RechargeStatus.SUCCEEDED) {
            return;
        }
        RechargeAttempt succeeded = tx.recharges()
                .update(
                        purchase.userId(),
                        attempt.get().id(),
                        RechargeStatus.SUCCEEDED,
                        Optional.empty(),
                        purchase.paymentIntentId(),
                        at,
                        false,
                        at);
        Optional<RechargeRule> rule = tx.recharges().findRule(purchase.userId());
        if (rule.isPresent()
                && rule.get().pausedReason().filter(NEEDS_USER::equals).isPresent()) {
            tx.recharges().setPaused(purchase.userId(), Optional.empty(), at);
        } else if (rule.isPresent()) {
            tx.recharges().resetFailures(purchase.userId(), at);
        }
        RechargeEvents.append(tx, "recharge.succeeded", succeeded, Optional.empty(), false, at);
    }
}
