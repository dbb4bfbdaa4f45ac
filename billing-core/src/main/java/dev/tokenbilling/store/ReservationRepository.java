package dev.tokenbilling.store;

import dev.tokenbilling.model.LedgerEntry;
import dev.tokenbilling.model.Reservation;
import dev.tokenbilling.model.ReservationStatus;
import dev.tokenbilling.model.UserId;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Holds on tokens for usage in flight. A user's {@code reserved} is the sum of their
 * {@link ReservationStatus#ACTIVE} holds; debits, new holds and lot closings only use
 * {@code balance - reserved}. Each hold is created once per user and key and ends exactly once
 * ({@code ACTIVE → SETTLED | RELEASED | EXPIRED}), under the user's balance lock like every posting.
 */
public interface ReservationRepository {

    /**
     * Under the user's balance lock, first ends the user's holds whose expiry is at or before
     * {@code at} as {@link ReservationStatus#EXPIRED} (freeing their tokens even when this
     * reservation is refused), then holds {@code tokens} if {@code balance - reserved >= tokens}:
     * {@link ReserveResult.Reserved} with the new active hold. Otherwise
     * {@link ReserveResult.Insufficient} with what is available, nothing held; a user who never had
     * a posting gets {@code Insufficient(0)}. When the tokens are there but the user has a usage
     * limit that the month's usage, the active holds and this hold together would pass, it is
     * {@link ReserveResult.LimitReached}, nothing held: settlements are never refused, so the limit
     * has its say here.
     *
     * <p>A key the user used before (whatever the repeat's amount) returns
     * {@link ReserveResult.Duplicate} with that hold as stored now, whatever its status, and changes
     * nothing, even when repeats race: exactly one of them is {@code Reserved}. Keys are scoped to
     * the user and separate from ledger keys.
     */
    ReserveResult reserve(
            UserId userId, long tokens, String idempotencyKey, String description, Instant expiresAt, Instant at);

    /**
     * Ends the user's active hold, under the user's balance lock.
     *
     * <ul>
     *   <li>{@link ReservationStatus#SETTLED} debits {@code actualTokens} as one
     *       {@link dev.tokenbilling.model.LedgerEntryKind#USAGE} entry (described by
     *       {@code description}, or by the hold's description when empty, posted under a library
     *       reference that no caller's key can stand in for), never refused since the tokens were
     *       held, even when a reversal has taken them since (the balance then goes below zero and
     *       the shortfall becomes debt); settling 0 tokens appends no entry. A hold whose expiry is at or before
     *       {@code at} cannot be settled: it ends {@link ReservationStatus#EXPIRED}, debiting
     *       nothing.</li>
     *   <li>{@link ReservationStatus#RELEASED} frees the hold, debiting nothing.</li>
     * </ul>
     *
     * Returns {@code ended} true with how this call ended the hold and the settlement's entry id.
     * A hold that had ended before is left as it is: {@code ended} false with its status and entry
     * id; of racing calls exactly one is told it ended the hold. An unknown id or another user's
     * hold changes nothing and returns {@code ended} false, {@link ReservationStatus#EXPIRED}, no
     * entry.
     *
     * <p>The answer also carries the hold as it stands afterwards (empty for an unknown id or
     * another user's hold) and the settlement's entry (whichever call posted it), read in the same
     * transaction as the change.
     *
     * @throws IllegalArgumentException when {@code ending} is neither SETTLED nor RELEASED
     * @throws dev.tokenbilling.error.InvalidRequestException when settling more tokens than held
     *     (naming {@code actualTokens}); nothing changes
     */
    Finished finish(
            UserId userId,
            long reservationId,
            ReservationStatus ending,
            long actualTokens,
            String description,
            Instant at);

    /** The user's hold with this id, in any status; empty for an unknown id and for another user's hold. */
    Optional<Reservation> findById(UserId userId, long reservationId);

    /** The user's active holds, oldest (lowest id) first, including lapsed ones nothing has ended yet. */
    List<Reservation> active(UserId userId);

    /**
     * Ends up to {@code limit} active holds of any users whose expiry is at or before {@code now}
     * as {@link ReservationStatus#EXPIRED}, soonest expiry first, freeing their tokens; returns how
     * many this call ended. Safe to run concurrently: each hold is ended, and counted, by exactly
     * one call.
     */
    int expire(Instant now, int limit);

    /** What {@link #reserve} did. */
    sealed interface ReserveResult {
        /** The hold was created, active. */
        record Reserved(Reservation reservation) implements ReserveResult {}

        /** The key was used before: that hold as stored now; nothing changed. */
        record Duplicate(Reservation original) implements ReserveResult {}

        /** Refused: {@code balance - reserved} (never negative) was smaller than asked. Nothing held. */
        record Insufficient(long available) implements ReserveResult {}

        /**
         * Refused by the user's monthly usage limit: the month's usage ({@code usedThisMonth}), the
         * active holds ({@code held}) and this hold together would pass {@code limit}, which resets at
         * {@code resetsAt}. Nothing held.
         */
        record LimitReached(long limit, long usedThisMonth, long held, Instant resetsAt) implements ReserveResult {}
    }

    /** How the hold ended ({@code ended} false when it had ended before) and the settlement's entry. */
    record FinishResult(boolean ended, ReservationStatus status, Optional<Long> entryId) {}

    /** What {@link #finish} did, with the hold afterwards and the settlement's entry. */
    record Finished(FinishResult result, Optional<Reservation> hold, Optional<LedgerEntry> entry) {}
}
