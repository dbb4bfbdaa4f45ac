package dev.tokenbilling.model;

import java.time.Instant;
import java.util.Optional;

/**
 * Tokens held for a request in flight (an AI completion that streams): the available balance drops
 * by {@code amount} until the hold is settled with the real count, released, or expires.
 *
 * @param settledTokens what the settlement debited, once settled
 * @param entryId       the usage ledger entry of the settlement, if it debited anything
 */
public record Reservation(
        long id,
        UserId userId,
        long amount,
        ReservationStatus status,
        String idempotencyKey,
        String description,
        Optional<Long> settledTokens,
        Optional<Long> entryId,
        Instant expiresAt,
        Instant createdAt,
        Instant updatedAt) {}
