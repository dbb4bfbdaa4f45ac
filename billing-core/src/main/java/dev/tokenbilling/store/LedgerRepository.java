package dev.tokenbilling.store;

import dev.tokenbilling.model.LedgerEntry;
import dev.tokenbilling.model.LedgerEntryKind;
import dev.tokenbilling.model.TokenBalance;
import dev.tokenbilling.model.TokenLot;
import dev.tokenbilling.model.UserId;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Balances, the append-only ledger and the lots that hold each user's tokens. Every posting
 * ({@link #credit}, {@link #debit}, each item of {@link #debitAll}, {@link #closeLot}, the
 * settlement of a hold) guarantees:
 *
 * <ul>
 *   <li><b>Atomic:</b> the balance (with its running totals, see {@link BalanceTotals}), the lots
 *       and the appended entry change together or not at all. (A store may leave a batch's draw
 *       from the lots to be applied later, as the PostgreSQL store does, provided every read of lots
 *       and every later posting sees it applied.) {@link LedgerEntry#balanceAfter()} is
 *       the balance right after the entry, so a user's entries in ledger order (the per-user sequence
 *       taken under the balance lock) are a running sum that
 *       ends at {@link TokenBalance#balance()}, and {@code balance = sum of open lot remainders -
 *       debt}.</li>
 *   <li><b>Serialised per user:</b> each posting takes the user's balance lock, held until the
 *       enclosing transaction ends, so concurrent postings never lose an update; a user's entry ids
 *       grow in the order the postings took effect.</li>
 *   <li><b>Exactly once per idempotency key, scoped to the user:</b> a user's key names at most one
 *       entry, whatever its kind (a credit's key also stops a debit). A posting whose key the user
 *       used before returns {@link PostingResult.Duplicate} with the original entry as stored,
 *       whatever the repeat's kind, amount or balance, and changes nothing. This holds when the
 *       repeats race each other, inside or outside transactions: exactly one of them is
 *       {@link PostingResult.Posted}. Another user's use of the same key does not count; a posting
 *       without a key is never a duplicate.</li>
 *   <li><b>Library references in a key space of their own:</b> a
 *       {@link LedgerPosting#postingRef()} (the library's own postings: reversals, settlements,
 *       expiries, voids) is posted exactly once per user in the same way, and never collides with
 *       a caller's key: a caller's key equal to a reference neither stops the library's posting nor
 *       is stopped by it.</li>
 *   <li><b>Append-only:</b> entries are never changed or removed.</li>
 * </ul>
 */
public interface LedgerRepository {

    /**
     * Adds {@code posting.tokens()} to the balance and appends an entry of {@code +tokens};
     * creates the balance row on the user's first posting. Never refused for want of tokens.
     * A credit of kind {@link LedgerEntryKind#PURCHASE}, {@link LedgerEntryKind#GRANT},
     * {@link LedgerEntryKind#ADJUSTMENT}, {@link LedgerEntryKind#DISPUTE_REVERSAL} or
     * {@link LedgerEntryKind#REFUND_REVERSAL} first pays the
     * user's debt, then opens a lot on {@code posting.lot()} terms holding the rest (a lot that
     * only paid debt is closed at once), found with {@link #findLotByEntry}.
     *
     * <p>Returns {@link PostingResult.Posted} with the new entry, or {@link PostingResult.Duplicate}
     * for a used key. A purchase has at most one {@link LedgerEntryKind#PURCHASE} entry: a second
     * one for the same {@code purchaseId} under another key fails with an exception and changes
     * nothing.
     */
    PostingResult credit(LedgerPosting posting);

    /**
     * Removes {@code posting.tokens()} when the available balance ({@code balance - reserved})
     * covers it, drawing from the user's open lots in draw order (see {@link #lots}), and appends
     * an entry of {@code -tokens}. With {@link LedgerPosting#allowNegative()} the debit is never
     * refused for a user who has a balance: what the lots cannot cover becomes debt and the balance
     * goes below zero; a user who never had a posting still gets {@code Insufficient(0)}.
     *
     * <p>Returns {@link PostingResult.Posted} with the new entry;
     * {@link PostingResult.Duplicate} for a used key (even when the balance would not cover the
     * repeat); {@link PostingResult.LimitReached} when the usage limit refused it; otherwise
     * {@link PostingResult.Insufficient} with the available balance, and nothing changed.
     */
    PostingResult debit(LedgerPosting posting);

    /**
     * Sets (or, when empty, clears) the user's monthly usage limit: from then on a usage debit
     * without {@code allowNegative} is refused with {@link PostingResult.LimitReached} when the
     * month's usage (calendar month in UTC, counted from the month's start also before the limit was
     * set) plus the debit would exceed it, in the same statement as the debit. Creates the balance
     * row of a user who never had a posting.
     */
    void setUsageLimit(UserId userId, Optional<Long> tokensPerMonth, Instant at);

    /** The user's monthly usage limit and this month's usage at {@code at}, if a limit is set. */
    Optional<dev.tokenbilling.model.SpendLimit> usageLimit(UserId userId, Instant at);

    /**
     * Debits many postings (of one or several users) in one transaction, deciding each in list
     * order with the rules of {@link #debit}, so earlier items count for later ones; a key repeated
     * within the batch is a {@link PostingResult.Duplicate} of the entry the batch posted for it.
     * Each entry carries its own posting's time and description. Returns one result per posting,
     * at the same index; an empty list gives an empty list. Racing batches (or debits) with the same
     * keys post each key once.
     *
     * @throws IllegalArgumentException unless every posting is a keyed
     *                                  {@link LedgerEntryKind#USAGE} debit without
     *                                  {@code allowNegative}; nothing is debited then
     */
    List<PostingResult> debitAll(List<LedgerPosting> postings);
    // Every entry of one batch is stamped with the first posting's time: one batch, one transaction, one time.

    /**
     * The user's balance as committed (with this transaction's own writes inside one);
     * {@link TokenBalance#empty} for a user who never had a posting. Read-only.
     */
    TokenBalance balance(UserId userId);

    /**
     * The user's entry, of any kind, that used this caller idempotency key; empty when the user never
     * used it (another user's entry with the same key, and entries the library posted under a
     * {@link LedgerPosting#postingRef()}, are never returned).
     */
    Optional<LedgerEntry> findByIdempotencyKey(UserId userId, String idempotencyKey);

    /** The user's entry with this id; empty for an unknown id and for another user's entry. */
    Optional<LedgerEntry> findEntry(UserId userId, long entryId);

    /**
     * The user's entries, newest first (the order they took effect, which is also id descending),
     * at most {@code limit}; with {@code beforeId}, only the entries older than the user's entry
     * {@code beforeId} (pass a page's last id for the next page), none when {@code beforeId} is not
     * one of the user's entries. Other users' entries never appear.
     */
    List<LedgerEntry> history(UserId userId, Optional<Long> beforeId, int limit);

    /**
     * Balances of all users ordered by balance descending, then user id, at most {@code limit};
     * with {@code negativeOnly}, only balances below zero, most negative first (ascending), then
     * user id.
     */
    List<TokenBalance> balances(int limit, boolean negativeOnly);

    /**
     * Checks the stored ledger's invariants over every user: each balance equals the sum of its
     * entries and of its open lots minus debt, {@code balanceAfter} is the running sum, reserved
     * tokens equal the active holds, every purchase in a credited status
     * ({@link dev.tokenbilling.model.PurchaseStatus#CREDITED}) has exactly one purchase credit of its
     * tokens and user and no other purchase has one, and no usage under a caller's key or without a
     * key took a balance below zero (a settlement of a hold may: its tokens were held, and a
     * reversal may have taken them since).
     * Read-only. Returns one line per violation; empty when sound. It reads committed data: call it
     * outside {@link BillingStore#inTransaction}, at a quiet moment for an exact answer.
     */
    List<String> auditViolations();

    /**
     * The user's lots in draw order: priority ascending, then soonest expiry (no expiry last), then
     * oldest. With {@code openOnly} false the closed ones follow the open ones, in the same order.
     */
    List<TokenLot> lots(UserId userId, boolean openOnly);

    /** The lot with this id, whoever's it is; empty for an unknown id. */
    Optional<TokenLot> findLot(long lotId);

    /**
     * The lot the credit entry {@code entryId} of this user opened; empty for debits, credits that
     * opened no lot, unknown ids and other users' entries.
     */
    Optional<TokenLot> findLotByEntry(UserId userId, long entryId);

    /**
     * Ids of open lots whose expiry is at or before {@code now}, soonest expiry first (then lot id),
     * at most {@code limit}, leaving out lots of users whose whole balance is held
     * ({@code balance <= reserved}: they cannot expire until a hold ends). Read-only.
     */
    List<Long> lapsedLots(Instant now, int limit);

    /**
     * Takes what remains of a lot out of the balance with a ledger entry of {@code kind}, never
     * touching tokens held by active reservations: it takes {@code min(remaining, balance -
     * reserved)}. {@link LedgerEntryKind#EXPIRY} counts in the total expired,
     * {@link LedgerEntryKind#VOID} lowers the total granted. The lot is closed once empty (at
     * {@code at}); a lot partly held stays open with the held tokens. Returns the entry that took
     * the tokens (of {@code -taken}, with the lot's purchase id); empty when nothing could be taken:
     * an unknown lot, a closed one, or a lot whose tokens are all held.
     *
     * <p>Exactly once: the lot is re-read under the user's balance lock, so repeats and racing
     * calls take its tokens once; a repeat on a closed lot changes nothing (the lot keeps its
     * {@code closedAt} and {@code closedReason}).
     *
     * @throws IllegalArgumentException for a {@code kind} other than EXPIRY or VOID
     */
    Optional<LedgerEntry> closeLot(long lotId, LedgerEntryKind kind, String description, Instant at);
}
