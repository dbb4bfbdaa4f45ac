package dev.tokenbilling.model;

/** One run of the auto-recharge worker: attempts taken, paid, declined (retried or failed), waiting for the user, skipped. */
public record RechargeRunReport(int leased, int paid, int declined, int needsAction, int skipped) {}
