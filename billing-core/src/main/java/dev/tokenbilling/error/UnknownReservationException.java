package dev.tokenbilling.error;

/** No reservation has the given id (or it belongs to another user). */
public class UnknownReservationException extends BillingException {

    private static final long serialVersionUID = 1L;

    public UnknownReservationException(long reservationId) {
        super(BillingError.UNKNOWN_RESERVATION, "Unknown reservation " + reservationId);
    }
}
