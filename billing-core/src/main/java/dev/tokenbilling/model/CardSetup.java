package dev.tokenbilling.model;

/** A Stripe SetupIntent that saves a card without a purchase: give {@code clientSecret} to Stripe.js. */
public record CardSetup(String setupIntentId, String clientSecret) {}
