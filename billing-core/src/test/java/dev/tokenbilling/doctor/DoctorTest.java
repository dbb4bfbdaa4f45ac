package dev.tokenbilling.doctor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenbilling.error.BillingError;
import dev.tokenbilling.error.BillingException;
import dev.tokenbilling.error.StoreUnavailableException;
import dev.tokenbilling.stripe.StripeAccount.WebhookEndpoint;
import dev.tokenbilling.stripe.WebhookVerification;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The doctor without a database or Stripe: what each check does when what it needs is missing or refused. */
class DoctorTest {

    @Test
    void shouldCoverEveryNeededEventWithTheTypeItselfAStarOrAPrefixStar() {
        Set<String> needed = Set.of("payment_intent.succeeded", "charge.refunded", "charge.dispute.created");

        assertThat(endpoint("*").missing(needed)).isEmpty();
        assertThat(endpoint("payment_intent.*", "charge.*").missing(needed)).isEmpty();
        assertThat(endpoint("payment_intent.succeeded", "charge.dispute.*").missing(needed))
                .containsExactly("charge.refunded");
        assertThat(endpoint("payment_intent.succeeded").missing(needed))
                .containsExactly("charge.dispute.created", "charge.refunded");
    }

    @Test
    void shouldFailTheDatabaseAndSkipWhatNeedsItWhenTheStoreIsUnavailable() {
        Diagnosis diagnosis = Doctor.builder()
                .schema(() -> {
                    throw new StoreUnavailableException(
                            "Database unavailable", new java.sql.SQLException("Connection to db:5432 refused"));
                })
                .service(() -> {
                    throw new AssertionError("not reached");
                })
                .webhooks(() -> WebhookVerification.builder()
                        .secret("whsec_0123456789abcdef")
                        .build())
                .build()
                .diagnose();

        assertThat(diagnosis.healthy()).isFalse();
        assertThat(diagnosis.check(Doctor.DATABASE).orElseThrow().finding())
                .isEqualTo("cannot reach the database: Connection to db:5432 refused");
        assertThat(diagnosis.checks())
                .extracting(check -> check.name() + " " + check.verdict())
                .containsExactly(
                        "database FAIL",
                        "stripe.keys SKIPPED",
                        "catalog.packages SKIPPED",
                        "webhook.endpoint SKIPPED",
                        "webhook.secret OK",
                        "purchases.stuck SKIPPED",
                        "webhook.events SKIPPED",
                        "ledger.audit SKIPPED");
    }

    @Test
    void shouldFailTheKeysCheckWithTheLibrarysReasonWhenTheSettingsAreRefused() {
        Diagnosis diagnosis = Doctor.builder()
                .stripe(() -> {
                    throw new BillingException(
                            BillingError.INVALID_CONFIGURATION, "stripe.publishableKey: is for live mode");
                })
                .build()
                .diagnose();

        CheckResult keys = diagnosis.check(Doctor.STRIPE_KEYS).orElseThrow();
        assertThat(keys.verdict()).isEqualTo(Verdict.FAIL);
        assertThat(keys.finding()).isEqualTo("stripe.publishableKey: is for live mode");
        assertThat(keys.fix()).get().asString().contains("keys of one account and one mode");
        assertThat(diagnosis.check(Doctor.WEBHOOK_ENDPOINT).orElseThrow().finding())
                .isEqualTo("the Stripe settings are refused (see stripe.keys)");
        assertThat(diagnosis.check(Doctor.WEBHOOK_SECRET).orElseThrow().verdict())
                .isEqualTo(Verdict.SKIPPED);
    }

    @Test
    void shouldNameTheChecksInTheirOrder() {
        assertThat(Doctor.checkNames())
                .containsExactly(
                        Doctor.DATABASE,
                        Doctor.STRIPE_KEYS,
                        Doctor.PACKAGES,
                        Doctor.WEBHOOK_ENDPOINT,
                        Doctor.WEBHOOK_SECRET,
                        Doctor.STUCK_PURCHASES,
                        Doctor.FAILED_EVENTS,
                        Doctor.LEDGER);
        assertThat(Optional.of(Doctor.DEFAULT_STUCK_AFTER)).get().hasToString("PT15M");
    }

    private static WebhookEndpoint endpoint(String... events) {
        return new WebhookEndpoint("we_1", "https://shop.example/hook", "enabled", List.of(events));
    }
}
