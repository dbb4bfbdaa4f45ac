package dev.tokenbilling.store;

import dev.tokenbilling.model.LedgerEntry;
import dev.tokenbilling.model.LedgerEntryKind;
import dev.tokenbilling.model.TokenLot;
import java.time.Instant;
import dev.tokenbilling.model.TokenBalance;
import dev.tokenbilling.model.UserId;
import java.util.List;
import java.util.Optional;

/**
 * Balances and the append-only ledger. Every posting moves the balance and appends its entry
 * atomically, exactly once per idempotency key (scoped to the user): a repeated key returns
 * {@link PostingResult.Duplicate} and changes nothing, even when the repeats race each other.
 */
public interface LedgerRepository {

    /** Adds tokens: creates the balance row on first use. */
    PostingResult credit(LedgerPosting posting);

    /**
     * Removes tokens if {@code available >= tokens} (or unconditionally when
     * {@link LedgerPosting#allowNegative()}); otherwise {@link PostingResult.Insufficient}.
     */
    PostingResult debit(LedgerPosting posting);

    /**
     * Debits many postings in one transaction with the same guarantees per item, in order; results
     * match the postings by index.
     */
    List<PostingResult> debitAll(List<LedgerPosting> postings);

    /** The user's balance; {@link TokenBalance#empty} for an unknown user. */
    TokenBalance balance(UserId userId);

    /** The user's entry posted with this caller idempotency key, if any. */
    Optional<LedgerEntry> findByIdempotencyKey(UserId userId, String idempotencyKey);

    /** The user's entry with this id; empty for another user's entry. */
    Optional<LedgerEntry> findEntry(UserId userId, long entryId);

    /** The user's entries, newest first, with ids below {@code beforeId} when given. */
    List<LedgerEntry> history(UserId userId, Optional<Long> beforeId, int limit);

    /** Balances ordered by balance descending (ascending with {@code negativeOnly}), at most {@code limit}. */
    List<TokenBalance> balances(int limit, boolean negativeOnly);

    /**
     * Checks the stored ledger's invariants over every user: each balance equals the sum of its
     * entries and of its open lots minus debt, {@code balanceAfter} is the running sum, reserved
     * tokens equal the active holds, every credited purchase has exactly one purchase credit, and no
     * usage took a balance below zero. Read-only. Returns one line per violation; empty when sound.
     */
    List<String> auditViolations();

    /** The user's lots in draw order; closed ones too unless {@code openOnly}. */
    List<TokenLot> lots(UserId userId, boolean openOnly);

    Optional<TokenLot> findLot(long lotId);

    /** The lot the credit entry {@code entryId} of this user opened; empty for debits and other users' entries. */
    Optional<TokenLot> findLotByEntry(UserId userId, long entryId);

    /**
     * Ids of open lots whose expiry is at or before {@code now}, soonest first, leaving out lots of
     * users whose whole balance is held (they cannot expire until a hold ends).
     */
    List<Long> lapsedLots(Instant now, int limit);

    /**
     * Takes what remains of a lot out of the balance with a ledger entry of {@code kind}
     * ({@link LedgerEntryKind#EXPIRY} or {@link LedgerEntryKind#VOID}), never touching tokens held by
     * active reservations; closes the lot once empty. Returns the entry that took the tokens, empty
     * when none could be taken. Safe to repeat and to race: the lot is re-read under the balance lock.
     */
    Optional<LedgerEntry> closeLot(long lotId, LedgerEntryKind kind, String description, Instant at);
}
