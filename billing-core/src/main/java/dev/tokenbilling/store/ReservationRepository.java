package dev.tokenbilling.store;

import dev.tokenbilling.model.Reservation;
import dev.tokenbilling.model.ReservationStatus;
import dev.tokenbilling.model.UserId;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Holds on tokens for usage in flight. Each hold is created once per key and ends exactly once. */
public interface ReservationRepository {

    /** Holds {@code tokens} if {@code balance - reserved} allows it; the user's lapsed holds are released first. */
    ReserveResult reserve(UserId userId, long tokens, String idempotencyKey, String description, Instant expiresAt, Instant at);

    /**
     * Ends an active hold: {@link ReservationStatus#SETTLED} debits {@code actualTokens} (never more
     * than held, never refused), {@link ReservationStatus#RELEASED} frees it. A hold past its expiry
     * ends as {@link ReservationStatus#EXPIRED} instead of settling. Returns how it ended, or its
     * status when it had already ended.
     */
    FinishResult finish(UserId userId, long reservationId, ReservationStatus ending, long actualTokens, String description, Instant at);

    /** The user's hold with this id; empty for another user's hold. */
    Optional<Reservation> findById(UserId userId, long reservationId);

    List<Reservation> active(UserId userId);

    /** Releases up to {@code limit} holds past their expiry; returns how many. */
    int expire(Instant now, int limit);

    /** What {@link #reserve} did. */
    sealed interface ReserveResult {
        record Reserved(Reservation reservation) implements ReserveResult {
        }

        record Duplicate(Reservation original) implements ReserveResult {
        }

        record Insufficient(long available) implements ReserveResult {
        }
    }

    /** How the hold ended ({@code ended} false when it had ended before) and the settlement's entry. */
    record FinishResult(boolean ended, ReservationStatus status, Optional<Long> entryId) {
    }
}
