package dev.tokenbilling.error;

/** The hold was already settled, released or expired: a hold ends exactly once. */
public class ReservationNotActiveException extends BillingException {

    private static final long serialVersionUID = 1L;

    private final String status;

    /** @param status how the hold ended, as its wire name ({@code settled}, {@code released}, {@code expired}) */
    public ReservationNotActiveException(long reservationId, String status) {
        super(
                BillingError.RESERVATION_NOT_ACTIVE,
                "Reservation " + reservationId + " is already " + status
                        + ("expired".equals(status) ? "; its tokens were released, debit the usage instead" : ""));
        this.status = status;
    }

    /** How the hold ended: {@code settled}, {@code released} or {@code expired}. */
    public String status() {
        return status;
    }
}
