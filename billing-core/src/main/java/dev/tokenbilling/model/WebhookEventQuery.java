package dev.tokenbilling.model;

import dev.tokenbilling.error.InvalidRequestException;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/** A filter over stored webhook events, newest first ({@code billing webhooks --failed --type T --since 1h}). */
public record WebhookEventQuery(
        Set<WebhookEventStatus> statuses, Optional<String> type, Optional<Instant> receivedSince, int limit) {

    public WebhookEventQuery {
        statuses = Set.copyOf(statuses);
        if (limit < 1 || limit > PurchaseQuery.MAX_LIMIT) {
            throw new InvalidRequestException(
                    "limit", "must be between 1 and " + PurchaseQuery.MAX_LIMIT + ", was " + limit);
        }
    }

    public static WebhookEventQuery all(int limit) {
        return new WebhookEventQuery(Set.of(), Optional.empty(), Optional.empty(), limit);
    }

    public WebhookEventQuery withStatus(WebhookEventStatus... wanted) {
        return new WebhookEventQuery(Set.of(wanted), type, receivedSince, limit);
    }

    public WebhookEventQuery ofType(String eventType) {
        return new WebhookEventQuery(statuses, Optional.of(eventType), receivedSince, limit);
    }

    public WebhookEventQuery since(Instant moment) {
        return new WebhookEventQuery(statuses, type, Optional.of(moment), limit);
    }
}
