package dev.tokenbilling.store;

import dev.tokenbilling.model.LedgerEntry;

/** What a ledger posting did. */
public sealed interface PostingResult {

    /** The entry was appended and the balance moved, together; {@code entry} is as stored. */
    record Posted(LedgerEntry entry) implements PostingResult {}

    /**
     * The user had used the idempotency key before: {@code original} is that entry as stored
     * (whatever this posting's kind and amount); nothing changed.
     */
    record Duplicate(LedgerEntry original) implements PostingResult {}

    /**
     * A debit was refused: {@code available} ({@code balance - reserved}, never negative) was
     * smaller than the debit. Nothing changed.
     */
    record Insufficient(long available) implements PostingResult {}

    /**
     * A usage debit was refused by the user's monthly usage limit ({@code limit} tokens, of which
     * {@code usedThisMonth} are used); the balance would have covered it. Nothing changed.
     */
    record LimitReached(long limit, long usedThisMonth, java.time.Instant resetsAt) implements PostingResult {}
}
