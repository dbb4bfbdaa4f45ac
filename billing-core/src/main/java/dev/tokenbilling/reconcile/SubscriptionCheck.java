package dev.tokenbilling.reconcile;

import dev.tokenbilling.model.SubscriptionStatus;
import dev.tokenbilling.model.UserId;
import java.util.List;
import java.util.Optional;

/**
 * One subscription the reconciler compared with Stripe: its state before and after, and what its
 * paid invoices granted that webhooks had not.
 *
 * @param granted descriptions of the allowances granted now (empty when none was missing)
 * @param error   why the check failed (Stripe unreachable, say); it is tried again next round
 */
public record SubscriptionCheck(
        UserId userId,
        String stripeSubscriptionId,
        SubscriptionStatus before,
        SubscriptionStatus after,
        List<String> granted,
        Optional<String> error) {

    public SubscriptionCheck {
        granted = List.copyOf(granted);
    }

    /** True when the check changed something: the state, or a missed allowance. */
    public boolean repaired() {
        return before != after || !granted.isEmpty();
    }
}
