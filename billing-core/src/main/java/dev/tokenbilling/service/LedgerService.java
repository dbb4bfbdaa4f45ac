package dev.tokenbilling.service;

import dev.tokenbilling.model.Adjustment;
import dev.tokenbilling.model.Debit;
import dev.tokenbilling.model.Grant;
import dev.tokenbilling.model.LedgerEntry;
import dev.tokenbilling.model.LedgerReceipt;
import dev.tokenbilling.model.Page;
import dev.tokenbilling.model.PageRequest;
import dev.tokenbilling.model.TokenBalance;
import dev.tokenbilling.model.TokenLot;
import dev.tokenbilling.model.UsageReceipt;
import dev.tokenbilling.model.UsageResult;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.model.VoidResult;
import java.util.List;

/** Balances and the append-only ledger: usage debits, grants, adjustments, lots and history. */
public interface LedgerService {

    /** The largest {@link #debitAll} accepted in one call. */
    int MAX_BATCH_SIZE = 10_000;

    /** The user's balance and totals; all zero for a user the library has never seen. */
    TokenBalance balance(UserId userId);

    /** Users by balance, highest first; with {@code negativeOnly}, those below zero, lowest first. At most {@code limit} (1..1000). */
    List<TokenBalance> balances(int limit, boolean negativeOnly);

    /**
     * Debits usage exactly once per idempotency key: a repeated key returns the original receipt
     * (marked replayed) and debits nothing. The balance never goes below zero through usage.
     *
     * @throws dev.tokenbilling.error.InsufficientTokensException when fewer tokens are available; carries the available count
     * @throws dev.tokenbilling.error.SpendLimitException when the user's monthly usage limit refuses it
     * @throws dev.tokenbilling.error.IdempotencyConflictException when the key was used for a different posting
     */
    UsageReceipt debit(Debit debit);

    /**
     * Debits many usages in one transaction, for high-rate metering. Each item gets the guarantees
     * of {@link #debit} and its own result, in the order given; an unaffordable item or a key reused
     * for another posting is reported in its result and does not stop the others. At most
     * {@link #MAX_BATCH_SIZE} items.
     */
    List<UsageResult> debitAll(List<Debit> debits);

    /**
     * Credits tokens outside a purchase as a lot on the grant's terms, once per idempotency key. The
     * receipt carries the entry and the lot it opened.
     *
     * @throws dev.tokenbilling.error.IdempotencyConflictException when the key was used for a different posting
     */
    LedgerReceipt grant(Grant grant);

    /**
     * An operator's correction of either sign, once per idempotency key. A negative adjustment cannot
     * take more than the available balance.
     *
     * @throws dev.tokenbilling.error.InsufficientTokensException when a debit exceeds the available balance
     */
    LedgerReceipt adjust(Adjustment adjustment);

    /**
     * Removes what remains of one of the user's grants, with a {@code void} entry; tokens held by
     * active reservations stay until those end. Voiding again takes nothing more.
     *
     * @throws dev.tokenbilling.error.InvalidRequestException when the lot is not a grant of this user
     */
    VoidResult voidGrant(UserId userId, long lotId, String reason);

    /** The user's open lots in the order debits draw from them. */
    List<TokenLot> lots(UserId userId);

    /** All the user's lots, spent, expired and voided ones last. */
    List<TokenLot> allLots(UserId userId);

    /** The user's ledger, newest first, a page at a time (keyset pagination). */
    Page<LedgerEntry> history(UserId userId, PageRequest page);

    /**
     * Sets the user's low-balance alert: a {@code balance.low} billing event each time a posting
     * takes the available balance below {@code threshold} (once per crossing; a credit that lifts it
     * above re-arms the alert). {@code balance.depleted} comes at zero for every user.
     *
     * @throws dev.tokenbilling.error.InvalidRequestException unless {@code threshold} is positive
     */
    void setLowBalanceAlert(UserId userId, long threshold);

    /** Removes the user's low-balance alert. */
    void clearLowBalanceAlert(UserId userId);

    /** The user's low-balance alert threshold, if set. */
    java.util.OptionalLong lowBalanceAlert(UserId userId);

    /**
     * Limits the user's usage to {@code tokensPerMonth} per calendar month (UTC): a usage debit
     * ({@link #debit}, each item of {@link #debitAll}) that would take the month's usage past it is
     * refused in the same statement with {@code SPEND_LIMIT_REACHED}, naming the limit and when it
     * resets; usage earlier in the month counts. A hold ({@link ReservationService#reserve}) is
     * refused the same way when the month's usage, the user's active holds and the hold together
     * would pass the limit. Settlements of holds are never refused (their tokens were held) but count.
     */
    void setSpendLimit(UserId userId, long tokensPerMonth);

    /** Removes the user's usage limit. */
    void clearSpendLimit(UserId userId);

    /** The user's usage limit with this month's usage, if one is set. */
    java.util.Optional<dev.tokenbilling.model.SpendLimit> spendLimit(UserId userId);
}
