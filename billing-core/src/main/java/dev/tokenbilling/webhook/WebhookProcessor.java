package dev.tokenbilling.webhook;

/**
 * Verifies, stores and processes Stripe webhook deliveries. An event is stored before it is
 * processed; processing runs in one transaction with the event row locked, so duplicates (even
 * concurrent ones) change nothing, and a failure is recorded on the stored event to be retried.
 * Thread-safe; get it from {@code TokenBilling.webhooks()} and mount it on the host's endpoint.
 */
public interface WebhookProcessor {

    /**
     * Handles one delivery: {@code rawBody} exactly as received (never a re-serialized parse) and the
     * {@code Stripe-Signature} header. Answer Stripe with the outcome's {@link WebhookOutcome#httpStatus()}.
     */
    WebhookOutcome handle(byte[] rawBody, String signatureHeader);

    /**
     * Stores and processes an event fetched from Stripe's API (missed-webhook recovery), which
     * carries no signature: never pass it anything that came from the network unverified. Same
     * guarantees as {@link #handle}.
     */
    WebhookOutcome ingestUnsigned(String eventJson);

    /** Processes a stored event that is not done yet (a retry of a failed one); a done one is a duplicate. */
    WebhookOutcome retry(String eventId);

    /**
     * An operator's replay: processes a stored event again even if it was processed or ignored
     * before. Safe: the transitions it runs move tokens at most once whatever the replays.
     */
    WebhookOutcome replay(String eventId);
}
