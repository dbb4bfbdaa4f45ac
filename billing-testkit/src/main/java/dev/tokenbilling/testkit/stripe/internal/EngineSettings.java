package dev.tokenbilling.testkit.stripe.internal;

import dev.tokenbilling.testkit.stripe.WebhookMode;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * How a FakeStripe starts, and what {@code reset()} returns to.
 *
 * @param host address to bind
 * @param port port, 0 for a free one
 * @param clock clock for {@code created} timestamps
 * @param apiVersion API version events carry
 * @param webhookMode when webhooks are sent
 * @param timeoutDelay how long the TIMEOUT fault holds an answer
 * @param deliveryTimeout how long one webhook attempt may take
 * @param secretKey the only secret key accepted, or null for any {@code sk_test_...}
 * @param publishableKey the only publishable key accepted, or null for any {@code pk_test_...}
 * @param webhookUrl an endpoint registered at start, or null
 * @param webhookSecret its secret
 * @param webhookEvents its enabled events
 */
public record EngineSettings(
        String host,
        int port,
        Clock clock,
        String apiVersion,
        WebhookMode webhookMode,
        Duration timeoutDelay,
        Duration deliveryTimeout,
        String secretKey,
        String publishableKey,
        String webhookUrl,
        String webhookSecret,
        List<String> webhookEvents) {}
