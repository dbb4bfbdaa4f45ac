package dev.tokenbilling.internal.service;

import dev.tokenbilling.error.IdempotencyConflictException;
import dev.tokenbilling.error.InsufficientTokensException;
import dev.tokenbilling.error.InvalidRequestException;
import dev.tokenbilling.error.ReservationNotActiveException;
import dev.tokenbilling.error.SpendLimitException;
import dev.tokenbilling.error.UnknownReservationException;
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
        if (result instanceof ReservationRepository.ReserveResult.LimitReached limit) {
            throw new SpendLimitException(
                    request.userId().value(),
                    request.maxTokens(),
                    limit.limit(),
                    limit.usedThisMonth(),
                    limit.held(),
                    limit.resetsAt());
        }
        throw new InsufficientTokensException(
                request.userId().value(),
                request.maxTokens(),
                ((ReservationRepository.ReserveResult.Insufficient) result).available());
    }

    /** One round trip: the store checks the amount, ends the hold and returns it with its entry. */
    @Override
    public Settlement settle(UserId userId, long reservationId, long actualTokens) {
        Checks.notNull("userId", userId);
        if (actualTokens < 0) {
            throw new InvalidRequestException("actualTokens", "must not be negative, was " + actualTokens);
        }
        ReservationRepository.Finished finished =
                finish(userId, reservationId, ReservationStatus.SETTLED, actualTokens);
        finished.entry().ifPresent(context::debited);
        return new Settlement(finished.hold().orElseThrow(), finished.entry());
    }

    @Override
    public Reservation release(UserId userId, long reservationId) {
        Checks.notNull("userId", userId);
        return finish(userId, reservationId, ReservationStatus.RELEASED, 0)
                .hold()
                .orElseThrow();
    }

    private ReservationRepository.Finished finish(
            UserId userId, long reservationId, ReservationStatus ending, long actualTokens) {
        // An empty description lets the settlement take the hold's own.
        ReservationRepository.Finished finished = context.store()
                .reservations()
                .finish(
                        userId,
                        reservationId,
                        ending,
                        actualTokens,
                        "",
                        context.clock().instant());
        if (finished.hold().isEmpty()) {
            throw new UnknownReservationException(reservationId);
        }
        ReservationRepository.FinishResult result = finished.result();
        if (!result.ended() || result.status() != ending) {
            throw new ReservationNotActiveException(
                    reservationId, result.status().wireName());
        }
        return finished;
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
