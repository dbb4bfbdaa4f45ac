package dev.tokenbilling.testkit.stripe.internal;

/**
 * What a test card is and does when charged.
 *
 * @param number the full card number
 * @param brand Stripe's brand ({@code visa}, {@code mastercard}, {@code amex}, ...)
 * @param funding {@code credit} or {@code debit}
 * @param outcome what a charge on it does
 * @param code the error code of a decline
 * @param declineCode the decline code of a decline
 * @param message the customer-facing message of a decline
 */
public record CardProfile(
        String number, String brand, String funding, Outcome outcome, String code, String declineCode, String message) {

    /** What a charge does. */
    public enum Outcome {
        /** The charge succeeds. */
        SUCCEED,
        /** The charge succeeds and is then disputed. */
        SUCCEED_THEN_DISPUTE,
        /** The charge succeeds; each refund of it fails soon after it was made. */
        SUCCEED_THEN_REFUNDS_FAIL,
        /** The card is declined. */
        DECLINE,
        /** 3-D Secure authentication is required first. */
        REQUIRE_AUTHENTICATION
    }

    /** Last four digits. */
    public String last4() {
        return number.substring(number.length() - 4);
    }
}
