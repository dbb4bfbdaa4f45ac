package dev.tokenbilling.stripe;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;

/**
 * What operators read and register in the Stripe account beyond payments: prices, to check the
 * catalog against, and webhook endpoints. The stripe-java implementation comes from
 * {@code TokenBilling.stripeAccount(StripeApi)}. Every method throws {@code PaymentProviderException}
 * when Stripe fails or refuses.
 */
public interface StripeAccount {

    /** The price with this id; empty when Stripe does not know it (deleted, another account or mode). */
    Optional<Price> price(String priceId);

    /** Every webhook endpoint of the account, newest first. */
    List<WebhookEndpoint> webhookEndpoints();

    /** Registers an endpoint at {@code url} sending exactly {@code eventTypes}; the answer carries the signing secret, which Stripe never shows again. */
    CreatedWebhookEndpoint createWebhookEndpoint(String url, Set<String> eventTypes, String description);

    /** A Stripe Price, as far as the catalog check needs it. */
    record Price(String id, boolean active, OptionalLong unitAmount, String currency, String productId) {}

    /** A Stripe webhook endpoint, without its secret (Stripe only shows it on creation). */
    record WebhookEndpoint(String id, String url, String status, List<String> enabledEvents) {

        public WebhookEndpoint {
            enabledEvents = List.copyOf(enabledEvents);
        }

        public boolean enabled() {
            return "enabled".equals(status);
        }

        /** The types of {@code needed} this endpoint does not send: none when it sends {@code *} or a matching {@code type.*}. */
        public Set<String> missing(Set<String> needed) {
            Set<String> missing = new TreeSet<>();
            for (String type : needed) {
                if (enabledEvents.stream()
                        .noneMatch(pattern -> pattern.equals("*")
                                || pattern.equals(type)
                                || (pattern.endsWith(".*")
                                        && type.startsWith(pattern.substring(0, pattern.length() - 1))))) {
                    missing.add(type);
                }
            }
            return missing;
        }
    }

    /** A newly registered endpoint and its signing secret; {@link #toString()} masks the secret. */
    record CreatedWebhookEndpoint(WebhookEndpoint endpoint, String secret) {

        public CreatedWebhookEndpoint {
            Objects.requireNonNull(endpoint, "endpoint");
            Objects.requireNonNull(secret, "secret");
        }

        @Override
        public String toString() {
            return "CreatedWebhookEndpoint[endpoint=" + endpoint + ", secret=" + StripeKeys.mask(secret) + "]";
        }
    }
}
