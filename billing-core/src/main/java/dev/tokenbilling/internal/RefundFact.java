package dev.tokenbilling.internal;

/** One refund as Stripe describes it: its {@code re_} id, amount in the charge's minor units and status. */
public record RefundFact(String id, long amountMinor, String status) {}
