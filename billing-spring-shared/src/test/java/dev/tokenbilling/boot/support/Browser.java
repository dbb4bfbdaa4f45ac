package dev.tokenbilling.boot.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenbilling.testkit.stripe.FakeStripe;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

/** What Stripe.js does on the payment page: confirms a PaymentIntent with the publishable key and client secret. */
public final class Browser {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    private Browser() {}

    /** Confirms with a test PaymentMethod ({@code pm_card_visa}, {@code pm_card_chargeDeclined}...); returns Stripe's JSON answer. */
    public static JsonNode confirm(FakeStripe fake, String paymentIntentId, String clientSecret, String paymentMethod) {
        String form = "key=" + enc(fake.publishableKey()) + "&client_secret=" + enc(clientSecret) + "&payment_method="
                + enc(paymentMethod);
        HttpRequest request = HttpRequest.newBuilder(
                        URI.create(fake.apiBase() + "/v1/payment_intents/" + paymentIntentId + "/confirm"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form))
                .build();
        try {
            return JSON.readTree(
                    HTTP.send(request, HttpResponse.BodyHandlers.ofString()).body());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
