package dev.tokenbilling.model;

/**
 * An auto-recharge the bank wants the user to authenticate: show "action needed" and confirm the
 * PaymentIntent on-session with {@code clientSecret} (Stripe.js); its success credits the pack and
 * resumes the rule.
 */
public record ActionNeeded(RechargeAttempt attempt, String paymentIntentId, String clientSecret, Money amount) {}
