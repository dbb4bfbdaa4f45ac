package dev.tokenbilling.benchmarks.webhooks;

/**
 * One webhook delivery prepared before the clock starts: the raw body exactly as Stripe sends it
 * (UTF-8 JSON) and its {@code Stripe-Signature} header.
 */
record SignedEvent(String eventId, byte[] body, String signature) {}
