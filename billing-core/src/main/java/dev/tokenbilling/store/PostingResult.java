package dev.tokenbilling.store;

import dev.tokenbilling.model.LedgerEntry;

/** What a ledger posting did. */
public sealed interface PostingResult {

    /** The entry was appended and the balance moved. */
    record Posted(LedgerEntry entry) implements PostingResult {
    }

    /** The idempotency key was used before: the earlier entry, nothing changed. */
    record Duplicate(LedgerEntry original) implements PostingResult {
    }

    /** A debit was refused: the available balance was too small. Nothing changed. */
    record Insufficient(long available) implements PostingResult {
    }
}
