package dev.tokenbilling.testkit.stripe;

/** How a webhook delivery fails when {@link FakeStripe#failNextDeliveries(int, DeliveryFailure)} asks. */
public enum DeliveryFailure {
    /** As if the endpoint answered HTTP 500: the endpoint is not called, the delivery is logged failed. */
    SERVER_ERROR,
    /** As if the endpoint could not be reached: not called, logged failed with status 0. */
    UNREACHABLE,
    /**
     * The endpoint is called and does its work, but its answer is lost (as on a timeout): the delivery is
     * logged failed, so a retry sends the same event again.
     */
    RESPONSE_LOST
}
