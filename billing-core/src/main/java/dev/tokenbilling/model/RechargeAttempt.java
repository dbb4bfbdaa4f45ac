package dev.tokenbilling.model;

import java.time.Instant;
import java.util.Optional;

/**
 * One auto-recharge: recorded by the posting that crossed the threshold, then bought by the worker.
 *
 * @param tries           tries the card declined so far
 * @param availableAtStart the available balance right after the crossing
 * @param reason          why it failed, needs the user or was skipped
 */
public record RechargeAttempt(
        UserId userId,
        long id,
        RechargeStatus status,
        int tries,
        long availableAtStart,
        Optional<Long> purchaseId,
        Optional<String> paymentIntentId,
        Optional<String> reason,
        Instant nextAttemptAt,
        Instant createdAt,
        Instant updatedAt) {}
