package dev.tokenbilling.testkit.stripe.internal;

import dev.tokenbilling.testkit.stripe.TestCards;
import dev.tokenbilling.testkit.stripe.internal.CardProfile.Outcome;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** Stripe's test cards by number and by test PaymentMethod/token name. */
public final class CardCatalog {
    private static final Map<String, CardProfile> BY_NUMBER = new HashMap<>();
    private static final Map<String, String> BY_TOKEN = new HashMap<>();
    /** Cards that ask for authentication only until they are set up for later payments. */
    private static final Set<String> AUTHENTICATED_ONCE_SET_UP = Set.of(TestCards.AUTHENTICATION_REQUIRED);

    static {
        ok(TestCards.VISA, "visa", "credit", "visa");
        ok(TestCards.VISA_DEBIT, "visa", "debit", "visa_debit");
        ok(TestCards.MASTERCARD, "mastercard", "credit", "mastercard");
        ok(TestCards.AMEX, "amex", "credit", "amex");
        decline(TestCards.DECLINED, "card_declined", "generic_decline", "Your card was declined.", "chargeDeclined");
        decline(
                TestCards.INSUFFICIENT_FUNDS,
                "card_declined",
                "insufficient_funds",
                "Your card has insufficient funds.",
                "chargeDeclinedInsufficientFunds");
        decline(TestCards.LOST_CARD, "card_declined", "lost_card", "Your card was declined.", "chargeDeclinedLostCard");
        decline(
                TestCards.EXPIRED_CARD,
                "expired_card",
                "expired_card",
                "Your card has expired.",
                "chargeDeclinedExpiredCard");
        decline(
                TestCards.INCORRECT_CVC,
                "incorrect_cvc",
                "incorrect_cvc",
                "Your card's security code is incorrect.",
                "chargeDeclinedIncorrectCvc");
        decline(
                TestCards.PROCESSING_ERROR,
                "processing_error",
                "processing_error",
                "An error occurred while processing your card. Try again in a little bit.",
                "chargeDeclinedProcessingError");
        authentication(TestCards.AUTHENTICATION_REQUIRED, "authenticationRequiredOnSetup");
        authentication(TestCards.AUTHENTICATION_ALWAYS_REQUIRED, "authenticationRequired");
        authentication(TestCards.THREE_D_SECURE_2_REQUIRED, "threeDSecure2Required");
        BY_NUMBER.put(
                TestCards.DISPUTED,
                new CardProfile(TestCards.DISPUTED, "visa", "credit", Outcome.SUCCEED_THEN_DISPUTE, null, null, null));
        token("createDispute", TestCards.DISPUTED);
        BY_NUMBER.put(
                TestCards.REFUND_FAILS,
                new CardProfile(
                        TestCards.REFUND_FAILS, "visa", "credit", Outcome.SUCCEED_THEN_REFUNDS_FAIL, null, null, null));
        token("refundFail", TestCards.REFUND_FAILS);
    }

    private CardCatalog() {}

    private static void ok(String number, String brand, String funding, String token) {
        BY_NUMBER.put(number, new CardProfile(number, brand, funding, Outcome.SUCCEED, null, null, null));
        token(token, number);
    }

    private static void decline(String number, String code, String declineCode, String message, String token) {
        BY_NUMBER.put(number, new CardProfile(number, "visa", "credit", Outcome.DECLINE, code, declineCode, message));
        token(token, number);
    }

    private static void authentication(String number, String token) {
        BY_NUMBER.put(
                number, new CardProfile(number, "visa", "credit", Outcome.REQUIRE_AUTHENTICATION, null, null, null));
        token(token, number);
    }

    /**
     * Whether a card that requires authentication stops asking once a PaymentMethod of it has been set up
     * (4000 0025 0000 3155); the others ask on every payment and fail off-session.
     */
    public static boolean authenticatedOnceSetUp(CardProfile card) {
        return card != null && AUTHENTICATED_ONCE_SET_UP.contains(card.number());
    }

    private static void token(String name, String number) {
        BY_TOKEN.put("pm_card_" + name, number);
        BY_TOKEN.put("tok_" + name, number);
    }

    /** The card behind a test PaymentMethod id ({@code pm_card_visa}) or token ({@code tok_visa}). */
    public static CardProfile byToken(String token) {
        String number = BY_TOKEN.get(token);
        return number == null ? null : BY_NUMBER.get(number);
    }

    /** Whether the id names a test PaymentMethod or token. */
    public static boolean isTestToken(String id) {
        return BY_TOKEN.containsKey(id);
    }

    /**
     * The card with this number. Known test numbers behave as Stripe's; other valid numbers are live
     * cards, declined in test mode. Answers 402 {@code incorrect_number} for an invalid number.
     */
    public static CardProfile byNumber(String rawNumber, String param) {
        String number = rawNumber == null ? "" : rawNumber.replace(" ", "").replace("-", "");
        CardProfile known = BY_NUMBER.get(number);
        if (known != null) {
            return known;
        }
        if (!number.matches("\\d{12,19}") || !luhn(number)) {
            throw StripeApiError.card("incorrect_number", null, param, "Your card number is incorrect.");
        }
        return new CardProfile(
                number,
                brandOf(number),
                "credit",
                Outcome.DECLINE,
                "card_declined",
                "test_mode_live_card",
                "Your card was declined. Your request was in test mode, but used a non test (live) card. "
                        + "For a list of valid test cards, visit: https://stripe.com/docs/testing.");
    }

    static String brandOf(String number) {
        if (number.startsWith("4")) {
            return "visa";
        }
        if (number.matches("5[1-5].*|2[2-7].*")) {
            return "mastercard";
        }
        if (number.matches("3[47].*")) {
            return "amex";
        }
        if (number.matches("6011.*|65.*")) {
            return "discover";
        }
        return "unknown";
    }

    static boolean luhn(String number) {
        int sum = 0;
        boolean alternate = false;
        for (int i = number.length() - 1; i >= 0; i--) {
            int n = number.charAt(i) - '0';
            if (alternate) {
                n *= 2;
                if (n > 9) {
                    n -= 9;
                }
            }
            sum += n;
            alternate = !alternate;
        }
        return sum % 10 == 0;
    }
}
