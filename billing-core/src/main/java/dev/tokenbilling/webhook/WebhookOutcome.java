package dev.tokenbilling.webhook;

import java.util.Optional;

/**
 * What handling one webhook delivery did, and the HTTP status to answer Stripe with: 2xx tells
 * Stripe to stop (processed, duplicate, ignored, or a permanent failure recorded for an operator);
 * 503 asks Stripe to deliver again later; 400 and 413 reject a delivery that is not a valid event.
 */
public record WebhookOutcome(Status status, String reason, Optional<String> eventId, Optional<String> eventType) {

    public enum Status {
        PROCESSED(200),
        DUPLICATE(200),
        IGNORED(200),
        FAILED_PERMANENT(200),
        FAILED_RETRYABLE(503),
        REJECTED(400),
        TOO_LARGE(413);

        private final int httpStatus;

        Status(int httpStatus) {
            this.httpStatus = httpStatus;
        }

        public int httpStatus() {
            return httpStatus;
        }
    }

    public int httpStatus() {
        return status.httpStatus();
    }

    static WebhookOutcome rejected(String reason) {
        return new WebhookOutcome(Status.REJECTED, reason, Optional.empty(), Optional.empty());
    }

    static WebhookOutcome of(Status status, String reason, String eventId, String eventType) {
        return new WebhookOutcome(status, reason, Optional.ofNullable(eventId), Optional.ofNullable(eventType));
    }
}
