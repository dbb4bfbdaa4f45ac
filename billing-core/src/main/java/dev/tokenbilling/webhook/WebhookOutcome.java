package dev.tokenbilling.webhook;

import dev.tokenbilling.model.PurchaseTransition;
import dev.tokenbilling.model.WebhookEventStatus;
import java.util.Optional;

/**
 * What handling one webhook delivery did, as data to switch on, and the HTTP status to answer
 * Stripe with: 2xx tells Stripe to stop (processed, duplicate, ignored, or a permanent failure
 * recorded for an operator); 503 asks Stripe to deliver again later; 400 and 413 reject a delivery
 * that is not a valid event. {@link #describe()} is for logs only.
 */
public sealed interface WebhookOutcome {

    /** The kind of outcome, e.g. for a low-cardinality metrics tag. */
    enum Status {
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

    Status status();

    /** The event's id, once the delivery was read as an event. */
    Optional<String> eventId();

    /** The event's type, once the delivery was read as an event. */
    Optional<String> eventType();

    /** One line for logs. */
    String describe();

    default int httpStatus() {
        return status().httpStatus();
    }

    /** The event was processed; {@code transition} is what it did to a purchase, when it concerned one. */
    record Processed(String id, String type, Optional<PurchaseTransition> transition, String detail)
            implements WebhookOutcome {
        public Status status() {
            return Status.PROCESSED;
        }

        public Optional<String> eventId() {
            return Optional.of(id);
        }

        public Optional<String> eventType() {
            return Optional.of(type);
        }

        public String describe() {
            return transition.map(PurchaseTransition::describe).orElse(detail);
        }
    }

    /** The event was done before ({@code earlier} says how); nothing changed. */
    record Duplicate(String id, String type, WebhookEventStatus earlier) implements WebhookOutcome {
        public Status status() {
            return Status.DUPLICATE;
        }

        public Optional<String> eventId() {
            return Optional.of(id);
        }

        public Optional<String> eventType() {
            return Optional.of(type);
        }

        public String describe() {
            return "already " + earlier.wireName();
        }
    }

    /** Nothing in the library or the host acts on this event (or its object is not ours). */
    record Ignored(String id, String type, String reason) implements WebhookOutcome {
        public Status status() {
            return Status.IGNORED;
        }

        public Optional<String> eventId() {
            return Optional.of(id);
        }

        public Optional<String> eventType() {
            return Optional.of(type);
        }

        public String describe() {
            return reason;
        }
    }

    /** Processing failed in a way a retry cannot fix (an amount mismatch, an unknown purchase); recorded for an operator. */
    record FailedPermanent(String id, Optional<String> type, String error) implements WebhookOutcome {
        public Status status() {
            return Status.FAILED_PERMANENT;
        }

        public Optional<String> eventId() {
            return Optional.of(id);
        }

        public Optional<String> eventType() {
            return type;
        }

        public String describe() {
            return error;
        }
    }

    /** Processing failed for now (the database was down, or a fact it needs has not arrived); retried later. */
    record FailedRetryable(Optional<String> id, Optional<String> type, String error) implements WebhookOutcome {
        public Status status() {
            return Status.FAILED_RETRYABLE;
        }

        public Optional<String> eventId() {
            return id;
        }

        public Optional<String> eventType() {
            return type;
        }

        public String describe() {
            return error;
        }
    }

    /** Not a valid, signed Stripe event; nothing was stored. */
    record Rejected(String reason) implements WebhookOutcome {
        public Status status() {
            return Status.REJECTED;
        }

        public Optional<String> eventId() {
            return Optional.empty();
        }

        public Optional<String> eventType() {
            return Optional.empty();
        }

        public String describe() {
            return reason;
        }
    }

    /** The body was larger than the configured limit; nothing was read. */
    record TooLarge(int bytes, int limit) implements WebhookOutcome {
        public Status status() {
            return Status.TOO_LARGE;
        }

        public Optional<String> eventId() {
            return Optional.empty();
        }

        public Optional<String> eventType() {
            return Optional.empty();
        }

        public String describe() {
            return "payload of " + bytes + " bytes exceeds the limit of " + limit;
        }
    }
}
