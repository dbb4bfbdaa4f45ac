package dev.tokenbilling.model;

/** One delivery of due billing events: how many were leased, delivered, and failed (to be retried). */
public record DeliveryReport(int leased, int delivered, int failed) {}
