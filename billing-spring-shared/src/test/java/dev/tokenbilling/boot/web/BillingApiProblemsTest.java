package dev.tokenbilling.boot.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenbilling.boot.web.BillingApiController.Problem;
import dev.tokenbilling.error.BillingError;
import dev.tokenbilling.error.BillingException;
import dev.tokenbilling.error.PaymentProviderException;
import dev.tokenbilling.error.UnknownPackageException;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.springframework.http.HttpStatus;

/** The REST API's answer to every billing-core error code: one status and one stable {@code code} each. */
class BillingApiProblemsTest {

    /** What the server knows and the caller must not read in a 5xx. */
    private static final String SERVER_DETAIL = "connection to db.internal:5432 refused; request-id req_123";

    private static final Map<BillingError, Problem> EXPECTED = new EnumMap<>(Map.ofEntries(
            Map.entry(BillingError.INVALID_REQUEST, new Problem(HttpStatus.BAD_REQUEST, "invalid_request", null)),
            Map.entry(BillingError.UNKNOWN_PACKAGE, new Problem(HttpStatus.NOT_FOUND, "unknown_package", null)),
            Map.entry(BillingError.PACKAGE_INACTIVE, new Problem(HttpStatus.CONFLICT, "package_inactive", null)),
            Map.entry(
                    BillingError.PACKAGE_NOT_SYNCED,
                    new Problem(
                            HttpStatus.SERVICE_UNAVAILABLE,
                            "package_not_synced",
                            "This package cannot be bought yet, please try again later")),
            Map.entry(BillingError.UNKNOWN_PURCHASE, new Problem(HttpStatus.NOT_FOUND, "unknown_purchase", null)),
            Map.entry(
                    BillingError.TOO_MANY_OPEN_PURCHASES,
                    new Problem(
                            HttpStatus.TOO_MANY_REQUESTS,
                            "too_many_open_purchases",
                            "Too many purchases are still open; finish or cancel one first")),
            Map.entry(BillingError.UNKNOWN_RESERVATION, new Problem(HttpStatus.NOT_FOUND, "unknown_reservation", null)),
            Map.entry(
                    BillingError.RESERVATION_NOT_ACTIVE,
                    new Problem(HttpStatus.CONFLICT, "reservation_not_active", null)),
            Map.entry(BillingError.UNKNOWN_TIER, new Problem(HttpStatus.NOT_FOUND, "unknown_tier", null)),
            Map.entry(BillingError.TIER_NOT_AVAILABLE, new Problem(HttpStatus.CONFLICT, "tier_not_available", null)),
            Map.entry(BillingError.ALREADY_SUBSCRIBED, new Problem(HttpStatus.CONFLICT, "already_subscribed", null)),
            Map.entry(
                    BillingError.SPEND_LIMIT_REACHED,
                    new Problem(HttpStatus.TOO_MANY_REQUESTS, "spend_limit_reached", null)),
            Map.entry(BillingError.NO_SUBSCRIPTION, new Problem(HttpStatus.NOT_FOUND, "no_subscription", null)),
            Map.entry(BillingError.INSUFFICIENT_TOKENS, new Problem(HttpStatus.CONFLICT, "insufficient_tokens", null)),
            Map.entry(
                    BillingError.IDEMPOTENCY_CONFLICT, new Problem(HttpStatus.CONFLICT, "idempotency_conflict", null)),
            Map.entry(
                    BillingError.PAYMENTS_NOT_CONFIGURED,
                    new Problem(
                            HttpStatus.SERVICE_UNAVAILABLE,
                            "payments_not_configured",
                            "Payments are not available on this server")),
            Map.entry(
                    BillingError.PAYMENT_PROVIDER,
                    new Problem(
                            HttpStatus.SERVICE_UNAVAILABLE,
                            "payment_provider_unavailable",
                            "Payments are temporarily unavailable, please try again")),
            Map.entry(
                    BillingError.STORE_UNAVAILABLE,
                    new Problem(
                            HttpStatus.SERVICE_UNAVAILABLE,
                            "database_unavailable",
                            "The billing database is unavailable; try again shortly")),
            Map.entry(
                    BillingError.SCHEMA_NOT_MIGRATED,
                    new Problem(
                            HttpStatus.INTERNAL_SERVER_ERROR,
                            "billing_error",
                            "The billing request failed, please try again later")),
            Map.entry(
                    BillingError.INVALID_CONFIGURATION,
                    new Problem(
                            HttpStatus.INTERNAL_SERVER_ERROR,
                            "billing_error",
                            "The billing request failed, please try again later"))));

    @ParameterizedTest
    @EnumSource(BillingError.class)
    void shouldAnswerEveryCodeWithItsStatusAndApiCode(BillingError code) {
        Problem expected = EXPECTED.get(code);
        assertThat(expected).as("every code has an expected answer here").isNotNull();

        Problem problem = BillingApiController.problemOf(new BillingException(code, SERVER_DETAIL));

        assertThat(problem.status()).isEqualTo(expected.status());
        assertThat(problem.code()).isEqualTo(expected.code());
        if (problem.status().is5xxServerError() || expected.detail() != null) {
            assertThat(problem.detail())
                    .as("a plain message")
                    .isEqualTo(expected.detail())
                    .doesNotContain("db.internal", "req_");
        } else {
            assertThat(problem.detail()).as("a 4xx says what was wrong").isEqualTo(SERVER_DETAIL);
        }
    }

    @Test
    void shouldTellAStripeRefusalFromAnOutage() {
        Problem outage = BillingApiController.problemOf(new PaymentProviderException(
                PaymentProviderException.Reason.RATE_LIMITED, "Too many requests; request-id req_1", null, true, null));
        Problem refusal = BillingApiController.problemOf(new PaymentProviderException(
                PaymentProviderException.Reason.AUTHENTICATION,
                "Invalid API Key provided: sk_test_****; check STRIPE_SECRET_KEY",
                null,
                false,
                null));

        assertThat(outage)
                .isEqualTo(new Problem(
                        HttpStatus.SERVICE_UNAVAILABLE,
                        "payment_provider_unavailable",
                        "Payments are temporarily unavailable, please try again"));
        assertThat(refusal)
                .isEqualTo(new Problem(
                        HttpStatus.BAD_GATEWAY,
                        "payment_provider_error",
                        "The payment could not be started, please try again later"));
    }

    @Test
    void shouldQuoteOnlyAShortPrefixOfAnUnknownSlug() {
        Problem problem = BillingApiController.problemOf(new UnknownPackageException("y".repeat(1_000)));

        assertThat(problem.detail()).isEqualTo("Unknown token package '" + "y".repeat(64) + "…'");
    }
}
