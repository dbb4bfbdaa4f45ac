package dev.tokenbilling.testkit.stripe.internal;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** POSTs one signed event to one URL, as Stripe's webhook sender does. */
public final class WebhookSender {
    /** The endpoint's answer: a status (0 when unreachable) and an error text or null. */
    public record Result(int status, String error) {
        /** Whether the endpoint answered 2xx. */
        public boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    private final HttpClient client;
    private volatile Duration timeout;

    /** A sender whose attempts give up after {@code timeout}. */
    public WebhookSender(Duration timeout) {
        this.timeout = timeout;
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    /** Sets how long one attempt may take. */
    public void setTimeout(Duration timeout) {
        this.timeout = timeout;
    }

    /** Sends the payload; never throws. */
    public Result send(String url, String payload, String signatureHeader) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                    .timeout(timeout)
                    .header("Content-Type", "application/json; charset=utf-8")
                    .header("User-Agent", "Stripe/1.0 (+https://stripe.com/docs/webhooks)")
                    .header("Cache-Control", "no-cache")
                    .header("Stripe-Signature", signatureHeader)
                    .POST(HttpRequest.BodyPublishers.ofString(payload, StandardCharsets.UTF_8))
                    .build();
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            return new Result(
                    response.statusCode(),
                    response.statusCode() / 100 == 2 ? null : "endpoint answered " + response.statusCode());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(0, "interrupted");
        } catch (IOException | RuntimeException e) {
            return new Result(0, e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }
}
