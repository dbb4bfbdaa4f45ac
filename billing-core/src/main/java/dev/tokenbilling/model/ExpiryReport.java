package dev.tokenbilling.model;

/** What an expiry run did: lots it took tokens from, tokens that left balances, and holds it released. */
public record ExpiryReport(int lotsExpired, long tokensExpired, int reservationsReleased) {
}
