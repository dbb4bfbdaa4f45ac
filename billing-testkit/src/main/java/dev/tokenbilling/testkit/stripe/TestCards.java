package dev.tokenbilling.testkit.stripe;

/**
 * Stripe's test card numbers and test PaymentMethod ids that FakeStripe knows, with the behaviour Stripe
 * gives them. Any other number that passes the Luhn check is declined as a live card used in test mode
 * ({@code test_mode_live_card}), as Stripe does; expiry dates must be in the future and the CVC three
 * or four digits.
 */
public final class TestCards {
    /** Visa, succeeds. Also {@code pm_card_visa}. */
    public static final String VISA = "4242424242424242";
    /** Visa debit, succeeds. Also {@code pm_card_visa_debit}. */
    public static final String VISA_DEBIT = "4000056655665556";
    /** Mastercard, succeeds. Also {@code pm_card_mastercard}. */
    public static final String MASTERCARD = "5555555555554444";
    /** American Express, succeeds. Also {@code pm_card_amex}. */
    public static final String AMEX = "378282246310005";
    /** Declined, {@code card_declined} / {@code generic_decline}. Also {@code pm_card_chargeDeclined}. */
    public static final String DECLINED = "4000000000000002";
    /**
     * Declined, {@code card_declined} / {@code insufficient_funds}. Also {@code
     * pm_card_chargeDeclinedInsufficientFunds}.
     */
    public static final String INSUFFICIENT_FUNDS = "4000000000009995";
    /** Declined, {@code card_declined} / {@code lost_card}. Also {@code pm_card_chargeDeclinedLostCard}. */
    public static final String LOST_CARD = "4000000000009987";
    /**
     * Declined, {@code expired_card} / {@code expired_card}. Also {@code
     * pm_card_chargeDeclinedExpiredCard}.
     */
    public static final String EXPIRED_CARD = "4000000000000069";
    /**
     * Declined, {@code incorrect_cvc} / {@code incorrect_cvc}. Also {@code
     * pm_card_chargeDeclinedIncorrectCvc}.
     */
    public static final String INCORRECT_CVC = "4000000000000127";
    /**
     * Declined, {@code processing_error} / {@code processing_error}. Also {@code
     * pm_card_chargeDeclinedProcessingError}.
     */
    public static final String PROCESSING_ERROR = "4000000000000119";
    /**
     * 3-D Secure required unless set up: confirmation leaves the PaymentIntent in {@code requires_action}
     * until {@link FakeStripe#authenticate(String, boolean)}, and so does a SetupIntent; once a
     * PaymentMethod of it has been set up (a succeeded SetupIntent, or a PaymentIntent with {@code
     * setup_future_usage}), its payments, off-session ones too, succeed without authentication. An
     * off-session payment with a PaymentMethod not set up fails with {@code authentication_required}.
     * Also {@code pm_card_authenticationRequiredOnSetup}.
     */
    public static final String AUTHENTICATION_REQUIRED = "4000002500003155";
    /** The same card as {@link #AUTHENTICATION_REQUIRED}, under Stripe's name for it. */
    public static final String AUTHENTICATION_REQUIRED_ON_SETUP = AUTHENTICATION_REQUIRED;
    /**
     * 3-D Secure required on every payment, however the card was set up: on-session payments and setups
     * wait in {@code requires_action}; off-session payments fail with {@code authentication_required}.
     * Also {@code pm_card_authenticationRequired}.
     */
    public static final String AUTHENTICATION_ALWAYS_REQUIRED = "4000002760003184";
    /**
     * 3-D Secure 2 required on every payment: as {@link #AUTHENTICATION_ALWAYS_REQUIRED}. Also {@code
     * pm_card_threeDSecure2Required}.
     */
    public static final String THREE_D_SECURE_2_REQUIRED = "4000000000003220";
    /**
     * Succeeds, then the charge is disputed as fraudulent ({@code charge.dispute.created}). Also {@code
     * pm_card_createDispute}.
     */
    public static final String DISPUTED = "4000000000000259";
    /**
     * Succeeds, and every refund of the charge then fails ({@code charge.refund.updated},
     * {@code refund.updated} and {@code refund.failed}; the money returns to the balance). Also
     * {@code pm_card_refundFail}.
     */
    public static final String REFUND_FAILS = "4000000000005126";

    private TestCards() {}
}
