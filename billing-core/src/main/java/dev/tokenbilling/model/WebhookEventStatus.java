package dev.tokenbilling.model;

import java.util.Locale;

/** Where a stored Stripe event is: received (not yet processed), processed, ignored, or failed. */
public enum WebhookEventStatus {
    RECEIVED,
    PROCESSED,
    IGNORED,
    FAILED;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static WebhookEventStatus fromWireName(String name) {
        for (WebhookEventStatus status : values()) {
            if (status.name().equalsIgnoreCase(name)) {
                return status;
            }
        }
        throw new IllegalArgumentException(
                "unknown webhook event status '" + name + "'; expected one of received, processed, ignored, failed");
    }

    /** True once the event needs no more work. */
    public boolean done() {
        return this == PROCESSED || this == IGNORED;
    }
}
