package dev.tokenbilling.internal.subscription;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenbilling.internal.stripe.StripeJson;
import dev.tokenbilling.model.BillingInterval;
import dev.tokenbilling.model.SubscriptionStatus;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * What the library reads from a Stripe Subscription's raw JSON, whatever its API version: since
 * 2025-03-31 the billing period lives on each item, before it on the subscription itself.
 */
record StripeSubscription(
        String id,
        Optional<String> customerId,
        SubscriptionStatus status,
        Map<String, String> metadata,
        String priceId,
        Optional<String> productId,
        BillingInterval interval,
        Optional<Instant> currentPeriodStart,
        Optional<Instant> currentPeriodEnd,
        boolean cancelAtPeriodEnd,
        Optional<Instant> canceledAt,
        Optional<Instant> endedAt) {

    /** True when the subscription has an item with a price: only such a subscription can be to a tier. */
    static boolean priced(JsonNode object) {
        return StripeJson.text(price(object), "id").isPresent();
    }

    private static JsonNode price(JsonNode object) {
        JsonNode item = object.path("items").path("data").path(0);
        return item.path("price").isObject() ? item.path("price") : item.path("plan");
    }

    static StripeSubscription parse(JsonNode object) {
        JsonNode item = object.path("items").path("data").path(0);
        JsonNode price = price(object);
        String priceId = StripeJson.text(price, "id")
                .orElseThrow(() -> new IllegalArgumentException("subscription has no priced item"));
        String interval = StripeJson.text(price.path("recurring"), "interval")
                .or(() -> StripeJson.text(price, "interval"))
                .orElse("month");
        return new StripeSubscription(
                StripeJson.required(object, "id"),
                StripeJson.idOf(object.path("customer")),
                SubscriptionStatus.fromWireName(StripeJson.required(object, "status")),
                StripeJson.metadata(object),
                priceId,
                StripeJson.idOf(price.path("product")),
                BillingInterval.fromWireName(interval),
                time(item, "current_period_start").or(() -> time(object, "current_period_start")),
                time(item, "current_period_end").or(() -> time(object, "current_period_end")),
                object.path("cancel_at_period_end").asBoolean(false),
                time(object, "canceled_at"),
                time(object, "ended_at"));
    }

    static Optional<Instant> time(JsonNode object, String field) {
        JsonNode value = object.path(field);
        return value.isNumber() ? Optional.of(Instant.ofEpochSecond(value.asLong())) : Optional.empty();
    }
}
