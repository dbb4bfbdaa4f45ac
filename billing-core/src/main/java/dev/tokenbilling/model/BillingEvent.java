package dev.tokenbilling.model;

import java.time.Instant;
import java.util.Optional;

/**
 * A host-facing billing event from the library's durable outbox: written in the same transaction as
 * the change it reports, delivered to the host's listeners at least once, in order per user. Hosts
 * deduplicate on {@link #id()}.
 *
 * @param type    {@code purchase.completed}, {@code balance.low}, {@code balance.depleted},
 *                {@code subscription.changed}, {@code allowance.granted}, {@code refund.applied},
 *                {@code dispute.applied} (types are only ever added)
 * @param payload the event's data as a JSON object
 */
public record BillingEvent(
        long id,
        UserId userId,
        String type,
        String payload,
        Instant createdAt,
        int attempts,
        Instant nextAttemptAt,
        Optional<String> lastError,
        Optional<Instant> deliveredAt) {

    /** True once every listener took it. */
    public boolean delivered() {
        return deliveredAt.isPresent();
    }
}
