package dev.tokenbilling.reconcile;

import dev.tokenbilling.error.BillingError;
import dev.tokenbilling.error.PaymentProviderException;
import dev.tokenbilling.model.PurchaseStatus;
import dev.tokenbilling.model.PurchaseTransition;
import java.util.Optional;

/** What the reconciler found and did for one stuck purchase, as data: {@link #result()} says which. */
public record PurchaseCheck(
        long purchaseId, Optional<String> paymentIntentId, PurchaseStatus before, PurchaseStatus after, Result result) {

    /** The outcome of one check. */
    public sealed interface Result {
        String describe();
    }

    /** Stripe's PaymentIntent was read (and canceled first when the purchase was abandoned) and applied. */
    public record Applied(String paymentIntentStatus, boolean abandoned, PurchaseTransition transition)
            implements Result {
        @Override
        public String describe() {
            return (abandoned ? "abandoned; " : "") + "PaymentIntent " + paymentIntentStatus + ": "
                    + transition.describe();
        }
    }

    /** The purchase has no PaymentIntent yet and is not old enough to abandon. */
    public record Waiting() implements Result {
        @Override
        public String describe() {
            return "waiting: no PaymentIntent yet";
        }
    }

    /** Abandoned before a PaymentIntent was created: canceled here. */
    public record Canceled() implements Result {
        @Override
        public String describe() {
            return "canceled: abandoned before a PaymentIntent was created";
        }
    }

    /** The check failed; it is tried again on a later run. {@code providerReason} is set when Stripe failed. */
    public record Failed(BillingError code, Optional<PaymentProviderException.Reason> providerReason, String message)
            implements Result {
        @Override
        public String describe() {
            return message;
        }
    }

    /** True when the check failed. */
    public boolean error() {
        return result instanceof Failed;
    }

    /** One line for logs and reports. */
    public String describe() {
        return result.describe();
    }
}
