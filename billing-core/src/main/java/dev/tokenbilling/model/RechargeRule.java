package dev.tokenbilling.model;

import java.time.Instant;
import java.util.Optional;

/**
 * A user's auto-recharge rule: when the available balance falls below {@code threshold}, buy
 * {@code packageSlug} with the saved card {@code paymentMethodId}, off-session, at most
 * {@code maxPerMonth} times and {@code maxAmountPerMonth} (minor units of the pack's currency) per
 * calendar month (UTC).
 *
 * @param pausedReason why it is paused (declines, a card that needs the user); empty while it runs
 * @param failures     declines since it last succeeded or was resumed; {@code maxFailures} pause it
 */
public record RechargeRule(
        UserId userId,
        String packageSlug,
        long threshold,
        String paymentMethodId,
        int maxPerMonth,
        long maxAmountPerMonth,
        int maxFailures,
        boolean enabled,
        Optional<String> pausedReason,
        int failures,
        Instant createdAt,
        Instant updatedAt) {

    /** True when a crossing starts a recharge: enabled and not paused. */
    public boolean running() {
        return enabled && pausedReason.isEmpty();
    }
}
