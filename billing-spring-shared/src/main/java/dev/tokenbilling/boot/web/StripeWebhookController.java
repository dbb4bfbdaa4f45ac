package dev.tokenbilling.boot.web;

import dev.tokenbilling.TokenBilling;
import dev.tokenbilling.boot.web.BillingJson.WebhookReceipt;
import dev.tokenbilling.hook.BillingListener;
import dev.tokenbilling.webhook.WebhookOutcome;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The endpoint Stripe delivers events to: {@code POST} at {@code billing.webhook.path} (default
 * {@code /api/v1/billing/webhooks/stripe/}). It reads the body as raw bytes, exactly as sent
 * (the signature covers those bytes, so the body is never parsed and re-serialized first), at most
 * {@code billing.stripe.max-webhook-payload-size} of them, and hands them with the
 * {@code Stripe-Signature} header to {@code TokenBilling.webhooks().handle(...)}. The outcome sets the
 * status: 200 for processed, duplicate, ignored and permanently failed events (Stripe must not
 * retry), 400 for a bad signature or payload, 413 for a body over the limit, 503 for a failure worth
 * retrying (Stripe retries with back-off for three days).
 *
 * <p>billing-core tells its {@link BillingListener}s (the metrics among them) of every delivery it
 * handles; this endpoint tells {@code listeners} of the deliveries it answers itself, without the core
 * (a body over the limit, never read).
 */
@RestController
public class StripeWebhookController {

    private static final Logger LOG = LoggerFactory.getLogger(StripeWebhookController.class);

    /** The header Stripe signs deliveries with. */
    public static final String SIGNATURE_HEADER = "Stripe-Signature";

    private final TokenBilling billing;
    private final int maxPayloadBytes;
    private final List<BillingListener> listeners;

    /**
     * @param listeners told of the deliveries this endpoint answers without handing them to the core;
     *                  the core tells its own listeners of the others
     */
    public StripeWebhookController(
            TokenBilling billing, int maxPayloadBytes, List<? extends BillingListener> listeners) {
        this.billing = Objects.requireNonNull(billing, "billing");
        if (maxPayloadBytes < 1) {
            throw new IllegalArgumentException("maxPayloadBytes must be positive, was " + maxPayloadBytes);
        }
        this.maxPayloadBytes = maxPayloadBytes;
        this.listeners = List.copyOf(listeners);
    }

    /** Receives one delivery. */
    @PostMapping("${billing.webhook.path:/api/v1/billing/webhooks/stripe/}")
    public ResponseEntity<?> receive(HttpServletRequest request) throws IOException {
        long started = System.nanoTime();
        Answer answer = handle(request);
        WebhookOutcome outcome = answer.outcome();
        Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
        if (!answer.byCore()) {
            notifyListeners(outcome, elapsed);
        }
        log(outcome, answer.detail(), request, elapsed);
        int status = outcome.httpStatus();
        if (status >= 200 && status < 300) {
            return ResponseEntity.status(status).body(WebhookReceipt.of(outcome));
        }
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.valueOf(status), answer.detail());
        problem.setTitle(status == 503 ? "Webhook not processed, retry later" : "Webhook rejected");
        problem.setProperty("code", outcome.status().name().toLowerCase(java.util.Locale.ROOT));
        outcome.eventId().ifPresent(id -> problem.setProperty("eventId", id));
        return ResponseEntity.status(status).body(problem);
    }

    /** An outcome, whether the core made it (and so told its listeners already), and what the answer and the log say of it. */
    private record Answer(WebhookOutcome outcome, boolean byCore, String detail) {

        static Answer ofCore(WebhookOutcome outcome) {
            return new Answer(outcome, true, outcome.describe());
        }
    }

    private Answer handle(HttpServletRequest request) throws IOException {
        long declared = request.getContentLengthLong();
        if (declared > maxPayloadBytes) {
            return tooLarge(declared);
        }
        byte[] body;
        try (InputStream in = request.getInputStream()) {
            // One byte over the limit is enough to know the body is too large; the rest is never read.
            body = in.readNBytes(maxPayloadBytes + 1);
        }
        if (body.length > maxPayloadBytes) {
            return tooLarge(-1);
        }
        return Answer.ofCore(billing.webhooks().handle(body, request.getHeader(SIGNATURE_HEADER)));
    }

    private void notifyListeners(WebhookOutcome outcome, Duration elapsed) {
        for (BillingListener listener : listeners) {
            try {
                listener.webhookHandled(outcome, elapsed);
            } catch (RuntimeException e) {
                LOG.warn("Billing listener {} failed: {}", listener.getClass().getName(), e.toString());
            }
        }
    }

    /**
     * A body over the limit, answered without the core; {@code declared} is its Content-Length, or -1
     * when it was only found out by reading one byte past the limit.
     */
    private Answer tooLarge(long declared) {
        WebhookOutcome outcome = new WebhookOutcome.TooLarge(
                (int) Math.min(declared > 0 ? declared : maxPayloadBytes + 1L, Integer.MAX_VALUE), maxPayloadBytes);
        return new Answer(
                outcome,
                false,
                "payload " + (declared > 0 ? "of " + declared + " bytes " : "") + "exceeds the limit of "
                        + maxPayloadBytes + " bytes (billing.stripe.max-webhook-payload-size)");
    }

    private static void log(WebhookOutcome outcome, String detail, HttpServletRequest request, Duration elapsed) {
        String event = outcome.eventId()
                .map(id ->
                        id + outcome.eventType().map(type -> " (" + type + ")").orElse(""))
                .orElse("-");
        switch (outcome.status()) {
            case PROCESSED -> LOG.info("Stripe webhook {}: {} in {} ms", event, detail, elapsed.toMillis());
            case DUPLICATE, IGNORED -> LOG.debug("Stripe webhook {}: {} ({})", event, outcome.status(), detail);
            // The core logs processing failures itself.
            case FAILED_PERMANENT, FAILED_RETRYABLE ->
                LOG.debug("Stripe webhook {}: {} ({})", event, outcome.status(), detail);
            case REJECTED, TOO_LARGE ->
                LOG.warn(
                        "Stripe webhook delivery from {} rejected ({}): {}",
                        request.getRemoteAddr(),
                        outcome.httpStatus(),
                        detail);
        }
    }
}
