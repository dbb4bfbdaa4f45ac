package dev.tokenbilling.model;

import java.time.Instant;
import java.util.Optional;

/**
 * A Stripe event as stored on arrival, with its raw payload and how processing went.
 *
 * @param objectId      {@code data.object.id}, e.g. the PaymentIntent id
 * @param nextAttemptAt when a failed event is due for another attempt; empty for permanent failures
 */
public record WebhookEventRecord(
        String id,
        String type,
        Optional<String> apiVersion,
        boolean livemode,
        Optional<String> objectId,
        String payload,
        WebhookEventStatus status,
        int attempts,
        Optional<String> processingError,
        Optional<Instant> nextAttemptAt,
        Instant receivedAt,
        Optional<Instant> processedAt) {}
