package dev.tokenbilling.internal.stripe;

import com.stripe.exception.ApiConnectionException;
import com.stripe.exception.AuthenticationException;
import com.stripe.exception.CardException;
import com.stripe.exception.IdempotencyException;
import com.stripe.exception.PermissionException;
import com.stripe.exception.RateLimitException;
import com.stripe.exception.StripeException;
import dev.tokenbilling.error.PaymentProviderException;
import dev.tokenbilling.error.PaymentProviderException.Reason;
import java.util.regex.Pattern;

/** Maps stripe-java's exceptions to {@link PaymentProviderException}, with secrets masked. */
final class StripeFailures {

    private static final Pattern KEY = Pattern.compile("\\b(sk|rk|pk|whsec)_(test_|live_)?[A-Za-z0-9]+");

    private StripeFailures() {}

    static PaymentProviderException translate(String action, StripeException e) {
        String detail = sanitize(e.getMessage());
        if (e instanceof ApiConnectionException) {
            return new PaymentProviderException(
                    Reason.UNREACHABLE, "Stripe unreachable while trying to " + action + ": " + detail, null, true, e);
        }
        if (e instanceof RateLimitException) {
            return new PaymentProviderException(
                    Reason.RATE_LIMITED,
                    "Stripe rate-limited the request to " + action + "; retry shortly",
                    null,
                    true,
                    e);
        }
        if (e instanceof AuthenticationException) {
            return new PaymentProviderException(
                    Reason.AUTHENTICATION,
                    "Stripe rejected the API key while trying to " + action + "; check STRIPE_SECRET_KEY",
                    null,
                    false,
                    e);
        }
        if (e instanceof PermissionException) {
            return new PaymentProviderException(
                    Reason.PERMISSION, "The Stripe key may not " + action + ": " + detail, null, false, e);
        }
        if (e instanceof IdempotencyException) {
            return new PaymentProviderException(
                    Reason.IDEMPOTENCY,
                    "Stripe refused a reused idempotency key while trying to " + action + ": " + detail,
                    null,
                    false,
                    e);
        }
        if (e instanceof CardException card) {
            String code = card.getDeclineCode() != null ? card.getDeclineCode() : String.valueOf(card.getCode());
            return new PaymentProviderException(
                    Reason.CARD_DECLINED, "The card was declined: " + detail, code, false, e);
        }
        Integer status = e.getStatusCode();
        boolean serverSide = status == null || status >= 500;
        String code = e.getCode() != null ? e.getCode() : serverSide ? "stripe_error" : "invalid_request";
        return new PaymentProviderException(
                serverSide ? Reason.PROVIDER_ERROR : Reason.INVALID_REQUEST,
                "Stripe failed to " + action + " (HTTP " + status + "): " + detail,
                code,
                serverSide,
                e);
    }

    static String sanitize(String message) {
        return message == null
                ? ""
                : KEY.matcher(message).replaceAll(m -> m.group(1) + "_" + (m.group(2) == null ? "" : m.group(2)) + "…");
    }
}
