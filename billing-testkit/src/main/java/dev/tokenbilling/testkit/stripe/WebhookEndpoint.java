package dev.tokenbilling.testkit.stripe;

import java.util.List;

/**
 * A webhook endpoint FakeStripe delivers events to.
 *
 * @param id Stripe's id ({@code we_...})
 * @param url where events are POSTed
 * @param secret the signing secret ({@code whsec_...})
 * @param enabledEvents event types sent there ({@code *} for all)
 */
public record WebhookEndpoint(String id, String url, String secret, List<String> enabledEvents) {

    /** Whether events of this type go to this endpoint. */
    public boolean accepts(String eventType) {
        for (String pattern : enabledEvents) {
            if (pattern.equals("*") || pattern.equals(eventType)) {
                return true;
            }
            if (pattern.endsWith(".*") && eventType.startsWith(pattern.substring(0, pattern.length() - 1))) {
                return true;
            }
        }
        return false;
    }
}
