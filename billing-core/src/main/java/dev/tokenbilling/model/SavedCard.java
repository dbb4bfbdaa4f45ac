package dev.tokenbilling.model;

/** A card saved on the user's Stripe customer for off-session payments: what a settings page shows. */
public record SavedCard(String paymentMethodId, String brand, String last4, int expMonth, int expYear) {}
