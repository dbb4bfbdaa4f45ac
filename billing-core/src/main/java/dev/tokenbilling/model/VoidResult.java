package dev.tokenbilling.model;

import java.util.Optional;

/**
 * What voiding a grant did: the tokens taken and the {@code void} entry that took them (empty when
 * every remaining token was held by a reservation; those leave when the hold ends).
 */
public record VoidResult(long tokensVoided, Optional<LedgerEntry> entry) {}
