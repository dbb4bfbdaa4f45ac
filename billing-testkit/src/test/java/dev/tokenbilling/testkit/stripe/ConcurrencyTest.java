package dev.tokenbilling.testkit.stripe;

import static org.assertj.core.api.Assertions.assertThat;

import com.stripe.StripeClient;
import com.stripe.model.PaymentIntent;
import com.stripe.net.RequestOptions;
import com.stripe.param.PaymentIntentConfirmParams;
import com.stripe.param.PaymentIntentCreateParams;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(FakeStripeExtension.class)
class ConcurrencyTest {

    @Test
    void shouldServeEightThreadsAtOnceWithoutLosingOrDoublingAnything(FakeStripe fake) throws Exception {
        StripeClient client = Clients.secret(fake);
        WebhookReceiver receiver = new WebhookReceiver();
        fake.registerWebhookEndpoint(receiver.url(), "whsec_load", "payment_intent.succeeded");
        int threads = 8;
        int perThread = 15;
        Set<String> ids = ConcurrentHashMap.newKeySet();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        // Every purchase is created twice with one idempotency key, as a retrying client would.
                        RequestOptions key = RequestOptions.builder()
                                .setIdempotencyKey("purchase-" + thread + "-" + i)
                                .build();
                        PaymentIntentCreateParams params = PaymentIntentCreateParams.builder()
                                .setAmount(1000L + i)
                                .setCurrency("usd")
                                .build();
                        PaymentIntent first = client.v1().paymentIntents().create(params, key);
                        PaymentIntent second = client.v1().paymentIntents().create(params, key);
                        assertThat(second.getId()).isEqualTo(first.getId());
                        client.v1()
                                .paymentIntents()
                                .confirm(
                                        first.getId(),
                                        PaymentIntentConfirmParams.builder()
                                                .setPaymentMethod("pm_card_visa")
                                                .build());
                        ids.add(first.getId());
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(fake.awaitWebhooks()).isTrue();
        assertThat(ids).hasSize(threads * perThread);
        assertThat(fake.objects("payment_intent"))
                .hasSize(threads * perThread)
                .allSatisfy(pi -> assertThat(pi.get("status").asText()).isEqualTo("succeeded"));
        assertThat(fake.events("payment_intent.succeeded")).hasSize(threads * perThread);
        assertThat(receiver.all()).hasSize(threads * perThread);
        receiver.close();
    }
}
