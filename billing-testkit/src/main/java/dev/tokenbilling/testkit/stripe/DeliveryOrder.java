package dev.tokenbilling.testkit.stripe;

/** The order in which {@link FakeStripe#deliverHeld(DeliveryOrder, int)} sends held webhooks. */
public enum DeliveryOrder {
    /** The order the events happened in. */
    AS_HAPPENED,
    /** Newest first. */
    REVERSED,
    /** A random order (seeded per call; see {@link FakeStripe#deliverHeld(DeliveryOrder, int)}). */
    SHUFFLED
}
