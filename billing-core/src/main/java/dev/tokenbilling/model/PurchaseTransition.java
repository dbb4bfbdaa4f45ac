package dev.tokenbilling.model;

/**
 * What applying a Stripe fact (a PaymentIntent's state, a refund, a dispute) did to a purchase:
 * data to switch on, with {@link #describe()} for logs. Only {@link Completed}, {@link Reversed},
 * {@link Reinstated} and {@link RefundFailed} moved tokens; a repeat of the same fact is {@link Unchanged}.
 */
public sealed interface PurchaseTransition {

    /** One line for logs and reports. */
    String describe();

    /** The payment succeeded: the purchase completed and its tokens were credited, once. */
    record Completed(long purchaseId, long tokensCredited) implements PurchaseTransition {
        @Override
        public String describe() {
            return "completed: " + tokensCredited + " tokens credited";
        }
    }

    /** The purchase moved to another status; no tokens moved. */
    record Moved(long purchaseId, PurchaseStatus from, PurchaseStatus to) implements PurchaseTransition {
        @Override
        public String describe() {
            return "now " + to.wireName() + " (was " + from.wireName() + ")";
        }
    }

    /** A refund or dispute took tokens back; {@code shortfall} were already spent and could not be taken. */
    record Reversed(long purchaseId, PurchaseStatus status, long tokensReversed, long shortfall)
            implements PurchaseTransition {
        @Override
        public String describe() {
            return status.wireName() + ": " + tokensReversed + " tokens reversed"
                    + (shortfall > 0 ? ", " + shortfall + " already spent" : "");
        }
    }

    /** A won dispute gave the tokens it had taken back. */
    record Reinstated(long purchaseId, PurchaseStatus status, long tokens) implements PurchaseTransition {
        @Override
        public String describe() {
            return status.wireName() + ": dispute won, " + tokens + " tokens reinstated";
        }
    }

    /**
     * A refund failed or was canceled after it had taken tokens back: they were given back
     * ({@code tokensReturned}, less any the refund could not take because they were already spent).
     */
    record RefundFailed(long purchaseId, PurchaseStatus status, long tokensReturned) implements PurchaseTransition {
        @Override
        public String describe() {
            return status.wireName() + ": refund failed, " + tokensReturned + " tokens given back";
        }
    }

    /** Nothing changed: the fact was applied before, or the purchase is elsewhere; {@code reason} says which. */
    record Unchanged(long purchaseId, String reason) implements PurchaseTransition {
        @Override
        public String describe() {
            return "unchanged: " + reason;
        }
    }
}
