package dev.tokenbilling.internal.service;

import dev.tokenbilling.error.IdempotencyConflictException;
import dev.tokenbilling.error.InsufficientTokensException;
import dev.tokenbilling.error.InvalidRequestException;
import dev.tokenbilling.error.ReservationNotActiveException;
import dev.tokenbilling.error.UnknownReservationException;
import dev.tokenbilling.model.LedgerEntry;
import dev.tokenbilling.model.Reservation;
import dev.tokenbilling.model.ReservationRequest;
import dev.tokenbilling.model.ReservationStatus;
import dev.tokenbilling.model.Settlement;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.service.ReservationService;
import dev.tokenbilling.store.ReservationRepository;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

final class DefaultReservationService implements ReservationService {

    private final ServiceContext context;

    DefaultReservationService(ServiceContext context) {
        this.context = context;
    }

    @Override
    public Reservation reserve(ReservationRequest request) {
        Checks.notNull("request", request);
        Instant now = context.clock().instant();
        ReservationRepository.ReserveResult result = context.store()
                .reservations()
                .reserve(
                        request.userId(),
                        request.maxTokens(),
                        request.key().value(),
                        request.description(),
                        now.plus(request.ttl()),
                        now);
        if (result instanceof ReservationRepository.ReserveResult.Reserved reserved) {
            return reserved.reservation();
        }
        if (result instanceof ReservationRepository.ReserveResult.Duplicate duplicate) {
            if (duplicate.original().amount() != request.maxTokens()) {
                throw new IdempotencyConflictException(
                        request.key().value(),
                        "first used to hold " + duplicate.original().amount() + " tokens, now " + request.maxTokens());
            }
            return duplicate.original();
        }
        throw new InsufficientTokensException(
                request.userId().value(),
                request.maxTokens(),
                ((ReservationRepository.ReserveResult.Insufficient) result).available());
    }

    @Override
    public Settlement settle(UserId userId, long reservationId, long actualTokens) {
        Reservation reservation = get(userId, reservationId);
        if (actualTokens < 0 || actualTokens > reservation.amount()) {
            throw new InvalidRequestException(
                    "actualTokens",
                    "must be between 0 and the " + reservation.amount() + " tokens held, was " + actualTokens);
        }
        ReservationRepository.FinishResult result = finish(reservation, ReservationStatus.SETTLED, actualTokens);
        Optional<LedgerEntry> entry =
                result.entryId().flatMap(id -> context.store().ledger().findEntry(userId, id));
        entry.ifPresent(context::debited);
        return new Settlement(get(userId, reservationId), entry);
    }

    @Override
    public Reservation release(UserId userId, long reservationId) {
        finish(get(userId, reservationId), ReservationStatus.RELEASED, 0);
        return get(userId, reservationId);
    }

    private ReservationRepository.FinishResult finish(
            Reservation reservation, ReservationStatus ending, long actualTokens) {
        ReservationRepository.FinishResult result = context.store()
                .reservations()
                .finish(
                        reservation.userId(),
                        reservation.id(),
                        ending,
                        actualTokens,
                        reservation.description(),
                        context.clock().instant());
        if (!result.ended() || result.status() != ending) {
            throw new ReservationNotActiveException(
                    reservation.id(), result.status().wireName());
        }
        return result;
    }

    @Override
    public Optional<Reservation> find(UserId userId, long reservationId) {
        return context.store().reservations().findById(Checks.notNull("userId", userId), reservationId);
    }

    @Override
    public Reservation get(UserId userId, long reservationId) {
        return find(userId, reservationId).orElseThrow(() -> new UnknownReservationException(reservationId));
    }

    @Override
    public List<Reservation> active(UserId userId) {
        return context.store().reservations().active(Checks.notNull("userId", userId));
    }
}
