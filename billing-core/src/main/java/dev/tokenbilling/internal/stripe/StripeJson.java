package dev.tokenbilling.internal.stripe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenbilling.model.Money;
import dev.tokenbilling.payment.PaymentIntentSnapshot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Reads Stripe objects from their raw JSON, field by field, so that any API version works (a typed
 * model pinned to one version can come back empty for events sent with another).
 */
public final class StripeJson {

    public static final ObjectMapper MAPPER = new ObjectMapper();

    private StripeJson() {}

    public static JsonNode parse(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException("Stripe sent JSON that does not parse: " + e.getMessage(), e);
        }
    }

    public static PaymentIntentSnapshot paymentIntent(JsonNode object) {
        JsonNode error = object.path("last_payment_error");
        Optional<String> failureCode = text(error, "decline_code").or(() -> text(error, "code"));
        return new PaymentIntentSnapshot(
                required(object, "id"),
                required(object, "status"),
                Money.of(object.path("amount").asLong(), required(object, "currency")),
                text(object, "client_secret"),
                metadata(object),
                failureCode,
                text(error, "message"),
                idOf(object.path("latest_charge")));
    }

    public static Map<String, String> metadata(JsonNode object) {
        Map<String, String> metadata = new LinkedHashMap<>();
        object.path("metadata").properties().forEach(entry -> {
            if (entry.getValue().isValueNode() && !entry.getValue().isNull()) {
                metadata.put(entry.getKey(), entry.getValue().asText());
            }
        });
        return metadata;
    }

    /** A string field, empty when absent or null. */
    public static Optional<String> text(JsonNode object, String field) {
        JsonNode value = object.path(field);
        return value.isTextual() && !value.asText().isEmpty() ? Optional.of(value.asText()) : Optional.empty();
    }

    /** The id of a field that holds either an id or an expanded object. */
    public static Optional<String> idOf(JsonNode field) {
        if (field.isTextual()) {
            return Optional.of(field.asText());
        }
        return field.isObject() ? text(field, "id") : Optional.empty();
    }

    public static String required(JsonNode object, String field) {
        return text(object, field)
                .orElseThrow(() -> new IllegalArgumentException("Stripe object has no '" + field + "'"));
    }
}
