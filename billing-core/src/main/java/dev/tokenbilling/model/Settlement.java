package dev.tokenbilling.model;

import java.util.Optional;

/** A reservation that ended by settlement: the reservation as it is now, and the usage entry it debited (none for 0 tokens). */
public record Settlement(Reservation reservation, Optional<LedgerEntry> entry) {}
