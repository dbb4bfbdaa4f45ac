package dev.tokenbilling.reconcile;

import dev.tokenbilling.model.PurchaseStatus;
import java.util.Optional;

/** What the reconciler found and did for one stuck purchase. */
public record PurchaseCheck(long purchaseId, Optional<String> paymentIntentId, PurchaseStatus before, PurchaseStatus after, String action,
        boolean error) {
}
