package dev.tokenbilling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenbilling.error.BillingError;
import dev.tokenbilling.error.BillingException;
import dev.tokenbilling.stripe.StripeApi;
import dev.tokenbilling.stripe.StripeKeys;
import dev.tokenbilling.stripe.WebhookVerification;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Stripe settings refuse what would weaken a check or expose a key, with a code, never the key. */
class StripeSettingsTest {

    @Test
    void shouldRefuseAToleranceThatWouldSwitchTheReplayCheckOff() {
        for (Duration tolerance : new Duration[] {Duration.ZERO, Duration.ofMillis(999), Duration.ofSeconds(-5)}) {
            assertThatThrownBy(() -> WebhookVerification.builder()
                            .secret("whsec_x")
                            .tolerance(tolerance)
                            .build())
                    .isInstanceOfSatisfying(
                            BillingException.class,
                            e -> assertThat(e.code()).isEqualTo(BillingError.INVALID_CONFIGURATION));
        }
        assertThat(WebhookVerification.builder()
                        .secret("whsec_x")
                        .tolerance(Duration.ofSeconds(1))
                        .build()
                        .tolerance())
                .isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void shouldNeverSendALiveKeyOverPlainHttp() {
        String liveKey = "sk_live_" + "a".repeat(24) + "9876";

        assertThatThrownBy(() -> StripeApi.builder()
                        .secretKey(liveKey)
                        .apiBase(URI.create("http://127.0.0.1:12111"))
                        .build())
                .isInstanceOfSatisfying(BillingException.class, e -> {
                    assertThat(e.code()).isEqualTo(BillingError.INVALID_CONFIGURATION);
                    assertThat(e.getMessage()).doesNotContain(liveKey);
                });
        assertThat(StripeApi.builder()
                        .secretKey("sk_test_abc")
                        .apiBase(URI.create("http://127.0.0.1:12111"))
                        .build()
                        .liveMode())
                .isFalse();
    }

    @Test
    void shouldRefuseMalformedAndMismatchedKeysWithoutShowingThem() {
        assertThatThrownBy(() ->
                        StripeApi.builder().secretKey("pk_test_notasecret_1234").build())
                .isInstanceOfSatisfying(
                        BillingException.class, e -> assertThat(e.getMessage()).doesNotContain("notasecret"));
        assertThatThrownBy(() -> StripeApi.builder()
                        .secretKey("sk_test_abc")
                        .publishableKey("pk_live_abc")
                        .build())
                .isInstanceOfSatisfying(
                        BillingException.class,
                        e -> assertThat(e.code()).isEqualTo(BillingError.INVALID_CONFIGURATION));
        assertThat(StripeKeys.mask("sk_test_1234567890abcdef")).isEqualTo("sk_test_…cdef");
    }

    @Test
    void shouldReadTheEnvironmentApart() {
        Map<String, String> environment = Map.of(
                "STRIPE_SECRET_KEY",
                "sk_test_abc",
                "STRIPE_API_BASE",
                "http://127.0.0.1:1",
                "STRIPE_WEBHOOK_SECRET",
                "whsec_old, whsec_new");

        assertThat(StripeApi.fromEnvironment(environment).build().apiBase()).contains(URI.create("http://127.0.0.1:1"));
        assertThat(WebhookVerification.fromEnvironment(environment).build().secrets())
                .containsExactly("whsec_old", "whsec_new");
        assertThat(WebhookVerification.fromEnvironment(Map.of()).build().secrets())
                .isEmpty();
    }
}
