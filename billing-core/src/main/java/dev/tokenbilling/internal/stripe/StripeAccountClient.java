package dev.tokenbilling.internal.stripe;

import com.stripe.StripeClient;
import com.stripe.exception.InvalidRequestException;
import com.stripe.exception.StripeException;
import com.stripe.param.WebhookEndpointCreateParams;
import com.stripe.param.WebhookEndpointListParams;
import dev.tokenbilling.stripe.StripeAccount;
import dev.tokenbilling.stripe.StripeApi;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;

/** {@link StripeAccount} on stripe-java. */
public final class StripeAccountClient implements StripeAccount {

    private final StripeClient client;

    public StripeAccountClient(StripeApi settings) {
        this.client = StripeClients.create(settings);
    }

    @Override
    public Optional<StripeAccount.Price> price(String priceId) {
        try {
            com.stripe.model.Price price = client.v1().prices().retrieve(priceId);
            return Optional.of(new StripeAccount.Price(
                    price.getId(),
                    Boolean.TRUE.equals(price.getActive()),
                    price.getUnitAmount() == null ? OptionalLong.empty() : OptionalLong.of(price.getUnitAmount()),
                    price.getCurrency(),
                    price.getProduct()));
        } catch (InvalidRequestException e) {
            if (Integer.valueOf(404).equals(e.getStatusCode())) {
                return Optional.empty();
            }
            throw StripeFailures.translate("retrieve price " + priceId, e);
        } catch (StripeException e) {
            throw StripeFailures.translate("retrieve price " + priceId, e);
        }
    }

    @Override
    public List<WebhookEndpoint> webhookEndpoints() {
        List<WebhookEndpoint> endpoints = new ArrayList<>();
        try {
            for (com.stripe.model.WebhookEndpoint endpoint : client.v1()
                    .webhookEndpoints()
                    .list(WebhookEndpointListParams.builder().setLimit(100L).build())
                    .autoPagingIterable()) {
                endpoints.add(endpoint(endpoint));
            }
        } catch (StripeException e) {
            throw StripeFailures.translate("list webhook endpoints", e);
        } catch (RuntimeException e) {
            // Auto-paging wraps a failure on a later page in an unchecked exception.
            if (e.getCause() instanceof StripeException cause) {
                throw StripeFailures.translate("list webhook endpoints", cause);
            }
            throw e;
        }
        return endpoints;
    }

    @Override
    public CreatedWebhookEndpoint createWebhookEndpoint(String url, Set<String> eventTypes, String description) {
        WebhookEndpointCreateParams.Builder params =
                WebhookEndpointCreateParams.builder().setUrl(url).setDescription(description);
        // Sorted, so that the same set always makes the same request.
        new TreeSet<>(eventTypes).forEach(type -> params.addEnabledEvent(enabledEvent(type)));
        try {
            com.stripe.model.WebhookEndpoint created =
                    client.v1().webhookEndpoints().create(params.build());
            return new CreatedWebhookEndpoint(endpoint(created), created.getSecret());
        } catch (StripeException e) {
            throw StripeFailures.translate("create a webhook endpoint", e);
        }
    }

    private static WebhookEndpoint endpoint(com.stripe.model.WebhookEndpoint endpoint) {
        return new WebhookEndpoint(
                endpoint.getId(),
                endpoint.getUrl(),
                endpoint.getStatus(),
                endpoint.getEnabledEvents() == null ? List.of() : endpoint.getEnabledEvents());
    }

    /** stripe-java's constant for an event type: it knows every type Stripe sends. */
    private static WebhookEndpointCreateParams.EnabledEvent enabledEvent(String type) {
        return Arrays.stream(WebhookEndpointCreateParams.EnabledEvent.values())
                .filter(event -> event.getValue().equals(type))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("not a Stripe event type: " + type));
    }
}
