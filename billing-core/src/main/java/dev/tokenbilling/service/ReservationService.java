package dev.tokenbilling.service;

import dev.tokenbilling.model.Reservation;
import dev.tokenbilling.model.ReservationRequest;
import dev.tokenbilling.model.Settlement;
import dev.tokenbilling.model.UserId;
import java.util.List;
import java.util.Optional;

/**
 * Holds on tokens for requests in flight (a streamed completion): the available balance drops at
 * once, the ledger shows the real count when the hold is settled. Every call is scoped by the user.
 */
public interface ReservationService {

    /**
     * Holds up to the request's tokens, once per idempotency key (a repeat, even a racing one, returns
     * the same hold). The hold is released automatically after its time to live.
     *
     * @throws dev.tokenbilling.error.InsufficientTokensException when fewer tokens are available
     * @throws dev.tokenbilling.error.SpendLimitException when the user's monthly usage limit refuses it:
     *     the month's usage, the active holds and this hold together would pass it
     * @throws dev.tokenbilling.error.IdempotencyConflictException when the key held another amount
     */
    Reservation reserve(ReservationRequest request);

    /**
     * Debits the real count ({@code actualTokens} at most the held amount, 0 allowed) and releases the
     * rest. A hold ends exactly once.
     *
     * @throws dev.tokenbilling.error.UnknownReservationException when the user has no such hold
     * @throws dev.tokenbilling.error.ReservationNotActiveException when it was already settled, released or expired
     */
    Settlement settle(UserId userId, long reservationId, long actualTokens);

    /**
     * Frees a hold without debiting anything.
     *
     * @throws dev.tokenbilling.error.UnknownReservationException when the user has no such hold
     * @throws dev.tokenbilling.error.ReservationNotActiveException when it already ended
     */
    Reservation release(UserId userId, long reservationId);

    /** The user's hold with this id, if any. */
    Optional<Reservation> find(UserId userId, long reservationId);

    /**
     * The user's hold with this id.
     *
     * @throws dev.tokenbilling.error.UnknownReservationException when the user has no such hold
     */
    Reservation get(UserId userId, long reservationId);

    /** The user's active holds. */
    List<Reservation> active(UserId userId);
}
