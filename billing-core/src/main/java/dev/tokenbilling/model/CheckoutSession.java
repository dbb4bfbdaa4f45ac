package dev.tokenbilling.model;

import java.util.Optional;

/**
 * A Stripe Checkout Session the library started: send the user's browser to {@code url}.
 *
 * @param purchaseId the pending purchase a pack checkout pays for; empty for a subscription
 */
public record CheckoutSession(String id, String url, Optional<Long> purchaseId) {}
