package dev.tokenbilling.internal.subscription;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenbilling.internal.stripe.StripeJson;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * What the library reads from a Stripe Invoice's raw JSON, whatever its API version: since
 * 2025-03-31 the subscription is under {@code parent.subscription_details} and a line's price under
 * {@code pricing.price_details}; before, {@code subscription}, {@code subscription_details} and
 * {@code price} sit on the invoice and its lines.
 *
 * @param billingReason {@code subscription_create}, {@code subscription_cycle}, {@code subscription_update}, ...
 * @param priceId       the price of the subscription line that pays for a whole period, if any
 */
record StripeInvoice(
        String id,
        String status,
        String billingReason,
        Optional<String> customerId,
        Optional<String> subscriptionId,
        Map<String, String> subscriptionMetadata,
        Optional<String> priceId,
        Optional<String> productId,
        Optional<Instant> periodStart,
        Optional<Instant> periodEnd,
        long amountPaid) {

    static StripeInvoice parse(JsonNode object) {
        JsonNode details = object.path("parent").path("subscription_details");
        if (details.isMissingNode() || details.isNull()) {
            details = object.path("subscription_details");
        }
        Optional<String> subscription =
                StripeJson.idOf(details.path("subscription")).or(() -> StripeJson.idOf(object.path("subscription")));
        JsonNode line = periodLine(object.path("lines").path("data"));
        JsonNode priceDetails = line.path("pricing").path("price_details");
        Optional<String> priceId = StripeJson.idOf(priceDetails.path("price"))
                .or(() -> StripeJson.idOf(line.path("price")))
                .or(() -> StripeJson.idOf(line.path("plan")));
        Optional<String> productId = StripeJson.idOf(priceDetails.path("product"))
                .or(() -> StripeJson.idOf(line.path("price").path("product")))
                .or(() -> StripeJson.idOf(line.path("plan").path("product")));
        return new StripeInvoice(
                StripeJson.required(object, "id"),
                StripeJson.text(object, "status").orElse(""),
                StripeJson.text(object, "billing_reason").orElse(""),
                StripeJson.idOf(object.path("customer")),
                subscription,
                StripeJson.metadata(details),
                priceId,
                productId,
                StripeSubscription.time(line.path("period"), "start"),
                StripeSubscription.time(line.path("period"), "end"),
                object.path("amount_paid").asLong(0));
    }

    /** The line that is not a proration (the one that pays for a whole period); else the first. */
    private static JsonNode periodLine(JsonNode lines) {
        for (JsonNode line : lines) {
            JsonNode item = line.path("parent").path("subscription_item_details");
            boolean proration = item.path("proration").asBoolean(false)
                    || line.path("proration").asBoolean(false);
            if (!proration) {
                return line;
            }
        }
        return lines.path(0);
    }

    /** True for an invoice that pays a whole new period: the first one, or a renewal. */
    boolean paysPeriod() {
        return billingReason.equals("subscription_create") || billingReason.equals("subscription_cycle");
    }

    boolean paid() {
        return status.equals("paid");
    }
}
