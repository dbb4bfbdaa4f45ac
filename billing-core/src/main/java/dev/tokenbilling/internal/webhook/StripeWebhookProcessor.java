package dev.tokenbilling.internal.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.stripe.exception.SignatureVerificationException;
import com.stripe.net.Webhook;
import dev.tokenbilling.error.StoreUnavailableException;
import dev.tokenbilling.hook.BillingListener;
import dev.tokenbilling.internal.AfterCommit;
import dev.tokenbilling.internal.EventFailure;
import dev.tokenbilling.internal.stripe.StripeJson;
import dev.tokenbilling.model.WebhookEventRecord;
import dev.tokenbilling.model.WebhookEventStatus;
import dev.tokenbilling.store.BillingStore;
import dev.tokenbilling.store.WebhookEventRepository.NewWebhookEvent;
import dev.tokenbilling.stripe.WebhookVerification;
import dev.tokenbilling.webhook.WebhookOutcome;
import dev.tokenbilling.webhook.WebhookProcessor;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies, stores and processes Stripe webhook deliveries. An event is stored before it is
 * processed, in the same transaction: processing runs in a savepoint after the event row is written
 * (or, for an event stored before, locked), so duplicates (even concurrent ones) change nothing, and a
 * failure is recorded on the stored event to be retried.
 * Thread-safe; get it from {@code TokenBilling.webhooks()}.
 */
public final class StripeWebhookProcessor implements WebhookProcessor {

    private static final Logger LOG = LoggerFactory.getLogger(StripeWebhookProcessor.class);
    private static final Duration FIRST_RETRY = Duration.ofSeconds(30);
    private static final Duration LAST_RETRY = Duration.ofHours(6);

    private final BillingStore store;
    private final List<String> secrets;
    private final Duration tolerance;
    private final int maxPayloadBytes;
    private final EventDispatcher dispatcher;
    private final Clock clock;
    private final List<BillingListener> listeners;

    public StripeWebhookProcessor(
            BillingStore store,
            WebhookVerification verification,
            EventDispatcher dispatcher,
            Clock clock,
            List<BillingListener> listeners) {
        this.store = store;
        this.secrets = verification.secrets();
        this.tolerance = verification.tolerance();
        this.maxPayloadBytes = verification.maxPayloadBytes();
        this.dispatcher = dispatcher;
        this.clock = clock;
        this.listeners = List.copyOf(listeners);
    }

    /**
     * Handles one delivery: {@code rawBody} exactly as received (never a re-serialized parse) and the
     * {@code Stripe-Signature} header.
     */
    @Override
    public WebhookOutcome handle(byte[] rawBody, String signatureHeader) {
        long started = System.nanoTime();
        WebhookOutcome outcome = verifyAndIngest(rawBody, signatureHeader);
        Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
        AfterCommit.notifyAll(listeners, listener -> listener.webhookHandled(outcome, elapsed));
        return outcome;
    }

    private WebhookOutcome verifyAndIngest(byte[] rawBody, String signatureHeader) {
        if (rawBody != null && rawBody.length > maxPayloadBytes) {
            return new WebhookOutcome.TooLarge(rawBody.length, maxPayloadBytes);
        }
        if (rawBody == null || rawBody.length == 0) {
            return rejected("empty body: not a Stripe event");
        }
        if (secrets.isEmpty()) {
            // Our misconfiguration, not the sender's: ask Stripe to retry once it is fixed.
            return new WebhookOutcome.FailedRetryable(
                    Optional.empty(), Optional.empty(), "no webhook signing secret configured (STRIPE_WEBHOOK_SECRET)");
        }
        if (signatureHeader == null || signatureHeader.isBlank()) {
            return rejected("missing Stripe-Signature header");
        }
        Optional<String> payload = utf8(rawBody);
        if (payload.isEmpty()) {
            return rejected("body is not UTF-8 text: not a Stripe event");
        }
        Optional<String> signatureProblem = verify(payload.get(), signatureHeader);
        if (signatureProblem.isPresent()) {
            return rejected("Invalid signature: " + signatureProblem.get());
        }
        return ingestUnsigned(payload.get());
    }

    /**
     * Stores and processes an event that needs no signature check because it came from Stripe's API
     * (missed-webhook recovery). Same guarantees as {@link #handle}.
     */
    @Override
    public WebhookOutcome ingestUnsigned(String eventJson) {
        JsonNode event;
        try {
            event = StripeJson.MAPPER.readTree(eventJson);
        } catch (Exception e) {
            return rejected("body is not JSON: " + e.getClass().getSimpleName());
        }
        if (event == null
                || !event.isObject()
                || !event.path("id").isTextual()
                || !event.path("type").isTextual()
                || !event.path("data").path("object").isObject()) {
            return rejected("not a Stripe event: expected an object with id, type and data.object");
        }
        String id = event.path("id").asText();
        String type = event.path("type").asText();
        if (id.isBlank() || id.length() > 255 || type.isBlank() || type.length() > 255) {
            return rejected("not a Stripe event: id and type must be 1-255 characters");
        }
        NewWebhookEvent arrived = new NewWebhookEvent(
                id,
                type,
                StripeJson.text(event, "api_version"),
                event.path("livemode").asBoolean(false),
                StripeJson.text(event.path("data").path("object"), "id"),
                eventJson,
                clock.instant());
        try {
            // A repeat (Stripe retries, replays, duplicates) is answered with one read and no write.
            Optional<WebhookEventRecord> earlier = store.webhookEvents().findById(id);
            if (earlier.isPresent()) {
                return earlier.get().status().done()
                        ? new WebhookOutcome.Duplicate(id, type, earlier.get().status())
                        : process(id, false);
            }
            // Stored and processed in one transaction (one commit). Should processing fail, the whole
            // transaction rolls back and the event is stored with its failure in a second one; should
            // the process die before a commit, Stripe has no answer yet and delivers again.
            Optional<WebhookOutcome> firstDelivery;
            try {
                // Stored as processed: the usual outcome, written once. Should the processing end
                // otherwise, the status is rewritten, or the whole transaction rolls back (see above).
                firstDelivery = withListeners(after -> store.inTransaction(tx ->
                        tx.webhookEvents().insertDoneIfAbsent(arrived, WebhookEventStatus.PROCESSED, clock.instant())
                                ? Optional.of(firstAttempt(tx, received(arrived), event, after))
                                : Optional.<WebhookOutcome>empty()));
            } catch (FailedAttempt failed) {
                return recordFirstFailure(arrived, failed);
            }
            // Empty: a concurrent delivery of the same event stored it first; its row lock decides.
            return firstDelivery.orElseGet(() -> process(id, false));
        } catch (StoreUnavailableException e) {
            LOG.warn("Webhook event {} not stored, database unavailable: {}", id, e.getMessage());
            return new WebhookOutcome.FailedRetryable(
                    Optional.of(id), Optional.of(type), "database unavailable; Stripe will retry");
        } catch (RuntimeException e) {
            LOG.error("Webhook event {} could not be stored", id, e);
            return new WebhookOutcome.FailedRetryable(
                    Optional.of(id),
                    Optional.of(type),
                    "storing failed: " + e.getClass().getSimpleName());
        }
    }

    /**
     * An operator's replay: processes a stored event again even if it was processed or ignored
     * before. Safe: the transitions it runs move tokens at most once whatever the replays.
     */
    @Override
    public WebhookOutcome replay(String eventId) {
        return process(eventId, true);
    }

    /** Processes a stored event that is not done yet (a retry of a failed one); a done one is a duplicate. */
    @Override
    public WebhookOutcome retry(String eventId) {
        return process(eventId, false);
    }

    private WebhookOutcome process(String eventId, boolean evenIfDone) {
        try {
            return withListeners(after -> store.inTransaction(tx -> {
                Optional<WebhookEventRecord> event = tx.webhookEvents().findByIdForUpdate(eventId);
                if (event.isEmpty()) {
                    return new WebhookOutcome.FailedPermanent(eventId, Optional.empty(), "no stored event " + eventId);
                }
                if (event.get().status().done() && !evenIfDone) {
                    return new WebhookOutcome.Duplicate(
                            eventId, event.get().type(), event.get().status());
                }
                return attempt(tx, event.get(), after);
            }));
        } catch (StoreUnavailableException e) {
            recordFailure(eventId, "database unavailable: " + e.getMessage());
            return new WebhookOutcome.FailedRetryable(
                    Optional.of(eventId), Optional.empty(), "database unavailable; Stripe will retry");
        } catch (RuntimeException e) {
            LOG.error("Webhook event {} failed unexpectedly", eventId, e);
            recordFailure(eventId, e.getClass().getSimpleName() + ": " + e.getMessage());
            return new WebhookOutcome.FailedRetryable(
                    Optional.of(eventId),
                    Optional.empty(),
                    "processing failed: " + e.getClass().getSimpleName());
        }
    }

    /**
     * Processes a stored event whose row this transaction holds, in a savepoint: on success the
     * event is marked done; on failure only the processing is undone and the failure is recorded on
     * the event (with the time of its next attempt when it may succeed later).
     */
    private WebhookOutcome attempt(BillingStore tx, WebhookEventRecord event, AfterCommit after) {
        AfterCommit attempt = new AfterCommit();
        try {
            WebhookOutcome outcome = tx.inSavepoint(
                    savepoint -> dispatchAndMarkDone(savepoint, event, Optional.empty(), Optional.empty(), attempt));
            after.addAll(attempt);
            return outcome;
        } catch (RuntimeException e) {
            return recordFailure(tx, event, failureOf(event, e));
        }
    }

    /**
     * Processes a first delivery in the transaction that stored it, without a savepoint (it would cost
     * two round trips on every delivery): a failure is thrown as {@link FailedAttempt}, which rolls the
     * transaction back, to be recorded by {@link #recordFirstFailure}.
     */
    private WebhookOutcome firstAttempt(BillingStore tx, WebhookEventRecord event, JsonNode parsed, AfterCommit after) {
        AfterCommit attempt = new AfterCommit();
        WebhookOutcome outcome;
        try {
            outcome = dispatchAndMarkDone(
                    tx, event, Optional.of(parsed), Optional.of(WebhookEventStatus.PROCESSED), attempt);
        } catch (RuntimeException e) {
            throw new FailedAttempt(failureOf(event, e));
        }
        after.addAll(attempt);
        return outcome;
    }

    /** Stores a first delivery whose processing failed (and was rolled back), with its failure. */
    private WebhookOutcome recordFirstFailure(NewWebhookEvent arrived, FailedAttempt failed) {
        return store.inTransaction(tx -> {
            tx.webhookEvents().insertIfAbsent(arrived);
            return recordFailure(tx, received(arrived), failed.failure);
        });
    }

    /**
     * What a processing's exception means: a foreseen {@link EventFailure}, or a bug (logged with its
     * stack). A database outage is thrown on: nothing can be recorded, and Stripe will deliver again.
     */
    private static Failure failureOf(WebhookEventRecord event, RuntimeException e) {
        if (e instanceof EventFailure failure) {
            return Failure.of(failure);
        }
        if (e instanceof StoreUnavailableException unavailable) {
            throw unavailable;
        }
        LOG.error("Webhook event {} failed unexpectedly", event.id(), e);
        return Failure.unexpected(e);
    }

    /** Records a failed processing on the stored event (locked by {@code tx}) and answers it. */
    private WebhookOutcome recordFailure(BillingStore tx, WebhookEventRecord event, Failure failure) {
        if (failure.expected()) {
            LOG.warn(
                    "Webhook event {} ({}) failed{}: {}",
                    event.id(),
                    event.type(),
                    failure.retryable() ? ", will retry" : "",
                    failure.recorded());
        }
        markFailed(tx, event, failure.recorded(), failure.retryable());
        return failure.retryable()
                ? new WebhookOutcome.FailedRetryable(
                        Optional.of(event.id()), Optional.of(event.type()), failure.answered())
                : new WebhookOutcome.FailedPermanent(event.id(), Optional.of(event.type()), failure.answered());
    }

    /**
     * Why processing failed: what is recorded on the event, what the delivery is answered, whether a
     * later attempt may succeed, and whether it was foreseen (an {@link EventFailure}) or a bug.
     */
    private record Failure(String recorded, String answered, boolean retryable, boolean expected) {

        static Failure of(EventFailure failure) {
            return new Failure(failure.getMessage(), failure.getMessage(), failure.retryable(), true);
        }

        static Failure unexpected(RuntimeException e) {
            String kind = e.getClass().getSimpleName();
            return new Failure(kind + ": " + e.getMessage(), "processing failed: " + kind, true, false);
        }
    }

    /** A first delivery's processing failed: carries the failure out of (and so rolls back) its transaction. */
    private static final class FailedAttempt extends RuntimeException {
        private final Failure failure;

        FailedAttempt(Failure failure) {
            super(failure.recorded(), null, false, false);
            this.failure = failure;
        }
    }

    /**
     * Dispatches the event and marks it done (an attempt counted), unless {@code storedAs}, the done
     * status this transaction stored it with, is that outcome already.
     */
    private WebhookOutcome dispatchAndMarkDone(
            BillingStore tx,
            WebhookEventRecord event,
            Optional<JsonNode> parsed,
            Optional<WebhookEventStatus> storedAs,
            AfterCommit attempt) {
        EventDispatcher.Result dispatched = parsed.isPresent()
                ? dispatcher.dispatch(tx, event, parsed.get(), attempt)
                : dispatcher.dispatch(tx, event, attempt);
        WebhookEventStatus done = dispatched.ignored() ? WebhookEventStatus.IGNORED : WebhookEventStatus.PROCESSED;
        if (!storedAs.equals(Optional.of(done))) {
            tx.webhookEvents().markDone(event.id(), done, clock.instant());
        }
        return dispatched.ignored()
                ? new WebhookOutcome.Ignored(event.id(), event.type(), dispatched.description())
                : new WebhookOutcome.Processed(
                        event.id(), event.type(), dispatched.transition(), dispatched.description());
    }

    /** Runs {@code work} and, once it returned (its transaction committed), tells the listeners what it gathered. */
    private <T> T withListeners(java.util.function.Function<AfterCommit, T> work) {
        AfterCommit after = new AfterCommit();
        T result = work.apply(after);
        after.fire(listeners);
        return result;
    }

    private static WebhookEventRecord received(NewWebhookEvent event) {
        return new WebhookEventRecord(
                event.id(),
                event.type(),
                event.apiVersion(),
                event.livemode(),
                event.objectId(),
                event.payload(),
                WebhookEventStatus.RECEIVED,
                0,
                Optional.empty(),
                Optional.empty(),
                event.receivedAt(),
                Optional.empty());
    }

    private void markFailed(BillingStore tx, WebhookEventRecord event, String error, boolean retryable) {
        Optional<Instant> next =
                retryable ? Optional.of(clock.instant().plus(backoff(event.attempts()))) : Optional.empty();
        tx.webhookEvents().markFailed(event.id(), truncate(error), next, clock.instant());
    }

    private static WebhookOutcome rejected(String reason) {
        return new WebhookOutcome.Rejected(reason);
    }

    /** Records a failure in a transaction of its own, when the processing one could not (the database was away). */
    private void recordFailure(String eventId, String error) {
        try {
            int attempts = store.webhookEvents()
                    .findById(eventId)
                    .map(WebhookEventRecord::attempts)
                    .orElse(0);
            store.webhookEvents()
                    .markFailed(
                            eventId,
                            truncate(error),
                            Optional.of(clock.instant().plus(backoff(attempts))),
                            clock.instant());
        } catch (RuntimeException e) {
            LOG.warn("Could not record the failure of webhook event {}: {}", eventId, e.getMessage());
        }
    }

    /** 30 s, 1 min, 2 min, ... up to 6 h between attempts. */
    public static Duration backoff(int attempts) {
        Duration delay = FIRST_RETRY.multipliedBy(1L << Math.min(attempts, 20));
        return delay.compareTo(LAST_RETRY) > 0 ? LAST_RETRY : delay;
    }

    private Optional<String> verify(String payload, String header) {
        String problem = null;
        for (String secret : secrets) {
            try {
                Webhook.Signature.verifyHeader(payload, header, secret, tolerance.getSeconds(), clock);
                return Optional.empty();
            } catch (SignatureVerificationException e) {
                problem = describe(e.getMessage());
            } catch (RuntimeException e) {
                // stripe-java parses "t=abc" with Long.parseLong: a malformed header, not our failure.
                return Optional.of("malformed Stripe-Signature header");
            }
        }
        return Optional.of(problem);
    }

    private static String describe(String stripeMessage) {
        if (stripeMessage == null) {
            return "signature does not verify";
        }
        if (stripeMessage.contains("tolerance")) {
            return "timestamp outside the tolerance zone (stale or replayed delivery)";
        }
        if (stripeMessage.contains("Unable to extract")) {
            return "malformed Stripe-Signature header";
        }
        if (stripeMessage.contains("expected scheme")) {
            return "no v1 signature in the Stripe-Signature header";
        }
        return "no signature matches the payload; check STRIPE_WEBHOOK_SECRET";
    }

    private static Optional<String> utf8(byte[] body) {
        try {
            return Optional.of(StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body))
                    .toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }

    private static String truncate(String text) {
        return text == null ? "" : text.length() <= 2000 ? text : text.substring(0, 2000);
    }
}
