package dev.tokenbilling.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenbilling.TokenBilling;
import dev.tokenbilling.stripe.StripeApi;
import dev.tokenbilling.stripe.WebhookVerification;
import dev.tokenbilling.support.StripeEvents;
import java.net.ServerSocket;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

class WebhookDatabaseDownTest {

    @Test
    void shouldAskStripeToRetryWhenDatabaseIsUnavailable() throws Exception {
        PGSimpleDataSource down = new PGSimpleDataSource();
        try (ServerSocket socket = new ServerSocket(0)) {
            down.setServerNames(new String[] {"127.0.0.1"});
            down.setPortNumbers(new int[] {socket.getLocalPort()});
        }
        down.setConnectTimeout(2);
        TokenBilling billing = TokenBilling.builder()
                .dataSource(down)
                .migrate(false)
                .stripe(StripeApi.builder().secretKey("sk_test_unused").build())
                .webhooks(WebhookVerification.builder()
                        .secret(StripeEvents.SECRET)
                        .build())
                .build();
        String payload =
                StripeEvents.event("payment_intent.succeeded", Map.of("id", "pi_1", "object", "payment_intent"));

        WebhookOutcome outcome = billing.webhooks().handle(StripeEvents.bytes(payload), StripeEvents.sign(payload));

        assertThat(outcome.status()).isEqualTo(WebhookOutcome.Status.FAILED_RETRYABLE);
        assertThat(outcome.httpStatus()).isEqualTo(503);
        assertThat(outcome.describe()).contains("database unavailable");
    }
}
