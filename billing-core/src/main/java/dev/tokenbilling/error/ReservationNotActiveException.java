package dev.tokenbilling.error;

import dev.tokenbilling.model.ReservationStatus;

/** The hold was already settled, released or expired: a hold ends exactly once. */
public class ReservationNotActiveException extends BillingException {

    private static final long serialVersionUID = 1L;

    private final ReservationStatus status;

    public ReservationNotActiveException(long reservationId, ReservationStatus status) {
        super(BillingError.RESERVATION_NOT_ACTIVE, "Reservation " + reservationId + " is already " + status.wireName()
                + (status == ReservationStatus.EXPIRED ? "; its tokens were released, use consume() instead" : ""));
        this.status = status;
    }

    public ReservationStatus status() {
        return status;
    }
}
