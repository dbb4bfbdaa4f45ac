package dev.tokenbilling.internal.service;

import dev.tokenbilling.error.IdempotencyConflictException;
import dev.tokenbilling.error.InsufficientTokensException;
import dev.tokenbilling.error.InvalidRequestException;
import dev.tokenbilling.error.SpendLimitException;
import dev.tokenbilling.model.Adjustment;
import dev.tokenbilling.model.Debit;
import dev.tokenbilling.model.Grant;
import dev.tokenbilling.model.LedgerEntry;
import dev.tokenbilling.model.LedgerEntryKind;
import dev.tokenbilling.model.LedgerReceipt;
import dev.tokenbilling.model.LotTerms;
import dev.tokenbilling.model.Page;
import dev.tokenbilling.model.PageRequest;
import dev.tokenbilling.model.SpendLimit;
import dev.tokenbilling.model.Text;
import dev.tokenbilling.model.TokenBalance;
import dev.tokenbilling.model.TokenLot;
import dev.tokenbilling.model.UsageReceipt;
import dev.tokenbilling.model.UsageResult;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.model.VoidResult;
import dev.tokenbilling.service.LedgerService;
import dev.tokenbilling.service.OperationsService;
import dev.tokenbilling.store.LedgerPosting;
import dev.tokenbilling.store.PostingResult;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

final class DefaultLedgerService implements LedgerService {

    private final ServiceContext context;

    DefaultLedgerService(ServiceContext context) {
        this.context = context;
    }

    @Override
    public TokenBalance balance(UserId userId) {
        return context.store().ledger().balance(Checks.notNull("userId", userId));
    }

    @Override
    public List<TokenBalance> balances(int limit, boolean negativeOnly) {
        return context.store().ledger().balances(Checks.limit(limit, OperationsService.MAX_LIMIT), negativeOnly);
    }

    @Override
    public UsageReceipt debit(Debit debit) {
        LedgerPosting posting =
                usagePosting(Checks.notNull("debit", debit), context.clock().instant());
        PostingResult result = context.store().ledger().debit(posting);
        if (result instanceof PostingResult.Posted posted) {
            context.debited(posted.entry());
            return new UsageReceipt(posted.entry(), false);
        }
        if (result instanceof PostingResult.Duplicate duplicate) {
            return new UsageReceipt(checkReplay(duplicate.original(), posting, -debit.tokens()), true);
        }
        if (result instanceof PostingResult.LimitReached limit) {
            throw new SpendLimitException(
                    debit.userId().value(), debit.tokens(), limit.limit(), limit.usedThisMonth(), limit.resetsAt());
        }
        throw new InsufficientTokensException(
                debit.userId().value(), debit.tokens(), ((PostingResult.Insufficient) result).available());
    }

    @Override
    public List<UsageResult> debitAll(List<Debit> debits) {
        Checks.notNull("debits", debits);
        if (debits.size() > MAX_BATCH_SIZE) {
            throw new InvalidRequestException(
                    "debits", "at most " + MAX_BATCH_SIZE + " per batch, was " + debits.size());
        }
        Instant at = context.clock().instant(); // one batch, one transaction, one time
        List<LedgerPosting> postings = debits.stream()
                .map(debit -> usagePosting(Checks.notNull("debits[]", debit), at))
                .toList();
        List<PostingResult> posted = context.store().ledger().debitAll(postings);
        UsageResult[] results = new UsageResult[debits.size()];
        for (int i = 0; i < posted.size(); i++) {
            Debit debit = debits.get(i);
            PostingResult result = posted.get(i);
            if (result instanceof PostingResult.Posted done) {
                context.debited(done.entry());
                results[i] = UsageResult.of(debit, new UsageReceipt(done.entry(), false));
            } else if (result instanceof PostingResult.Duplicate duplicate) {
                results[i] = replayResult(debit, duplicate.original(), postings.get(i));
            } else if (result instanceof PostingResult.LimitReached limit) {
                results[i] = UsageResult.limitReached(
                        debit,
                        new SpendLimitException(
                                        debit.userId().value(),
                                        debit.tokens(),
                                        limit.limit(),
                                        limit.usedThisMonth(),
                                        limit.resetsAt())
                                .getMessage());
            } else {
                results[i] = UsageResult.insufficient(debit, ((PostingResult.Insufficient) result).available());
            }
        }
        return List.of(results);
    }

    private static UsageResult replayResult(Debit debit, LedgerEntry original, LedgerPosting posting) {
        try {
            return UsageResult.of(debit, new UsageReceipt(checkReplay(original, posting, -posting.tokens()), true));
        } catch (IdempotencyConflictException e) {
            return UsageResult.rejected(debit, e.getMessage());
        }
    }

    private static LedgerPosting usagePosting(Debit debit, Instant at) {
        return LedgerPosting.of(
                debit.userId(),
                LedgerEntryKind.USAGE,
                debit.tokens(),
                debit.key().value(),
                debit.description(),
                at);
    }

    @Override
    public LedgerReceipt grant(Grant grant) {
        Checks.notNull("grant", grant);
        LotTerms terms = grant.terms().requireFutureExpiry(context.clock().instant());
        LedgerPosting posting = LedgerPosting.of(
                        grant.userId(),
                        LedgerEntryKind.GRANT,
                        grant.tokens(),
                        grant.key().value(),
                        grant.reason(),
                        context.clock().instant())
                .withLot(terms);
        return receipt(context.store().ledger().credit(posting), posting, grant.tokens(), grant.userId());
    }

    @Override
    public LedgerReceipt adjust(Adjustment adjustment) {
        Checks.notNull("adjustment", adjustment);
        LedgerPosting posting = LedgerPosting.of(
                adjustment.userId(),
                LedgerEntryKind.ADJUSTMENT,
                Math.abs(adjustment.signedTokens()),
                adjustment.key().value(),
                adjustment.reason(),
                context.clock().instant());
        PostingResult result = adjustment.credit()
                ? context.store().ledger().credit(posting)
                : context.store().ledger().debit(posting);
        return receipt(result, posting, adjustment.signedTokens(), adjustment.userId());
    }

    private LedgerReceipt receipt(PostingResult result, LedgerPosting posting, long signedAmount, UserId userId) {
        if (result instanceof PostingResult.Posted posted) {
            if (signedAmount > 0) {
                context.credited(posted.entry());
            } else {
                context.debited(posted.entry());
            }
            return new LedgerReceipt(posted.entry(), lotOf(posted.entry(), signedAmount), false);
        }
        if (result instanceof PostingResult.Duplicate duplicate) {
            LedgerEntry original = checkReplay(duplicate.original(), posting, signedAmount);
            return new LedgerReceipt(original, lotOf(original, signedAmount), true);
        }
        throw new InsufficientTokensException(
                userId.value(), Math.abs(signedAmount), ((PostingResult.Insufficient) result).available());
    }

    private Optional<TokenLot> lotOf(LedgerEntry entry, long signedAmount) {
        return signedAmount > 0
                ? context.store().ledger().findLotByEntry(entry.userId(), entry.id())
                : Optional.empty();
    }

    /** A repeated key is a replay only when it was used for the same kind and amount; anything else is a conflict. */
    private static LedgerEntry checkReplay(LedgerEntry original, LedgerPosting posting, long signedAmount) {
        if (original.kind() != posting.kind() || original.amount() != signedAmount) {
            throw new IdempotencyConflictException(
                    posting.idempotencyKey().orElse(""),
                    "first used for " + original.kind().wireName() + " of " + original.amount() + " tokens, now for "
                            + posting.kind().wireName() + " of " + signedAmount);
        }
        return original;
    }

    @Override
    public VoidResult voidGrant(UserId userId, long lotId, String reason) {
        Checks.notNull("userId", userId);
        String why = Text.required("reason", reason);
        TokenLot lot = context.store()
                .ledger()
                .findLot(lotId)
                .filter(l -> l.userId().equals(userId))
                .orElseThrow(() -> new InvalidRequestException("lotId", "user " + userId + " has no lot " + lotId));
        if (!lot.source().equals("grant")) {
            throw new InvalidRequestException(
                    "lotId", "lot " + lotId + " comes from a " + lot.source() + ", only grants can be voided");
        }
        Optional<LedgerEntry> voided = context.store()
                .ledger()
                .closeLot(
                        lotId,
                        LedgerEntryKind.VOID,
                        "Void: " + why,
                        context.clock().instant());
        voided.ifPresent(context::debited);
        return new VoidResult(voided.map(entry -> -entry.amount()).orElse(0L), voided);
    }

    @Override
    public List<TokenLot> lots(UserId userId) {
        return context.store().ledger().lots(Checks.notNull("userId", userId), true);
    }

    @Override
    public List<TokenLot> allLots(UserId userId) {
        return context.store().ledger().lots(Checks.notNull("userId", userId), false);
    }

    @Override
    public Page<LedgerEntry> history(UserId userId, PageRequest page) {
        Checks.notNull("userId", userId);
        Checks.notNull("page", page);
        Optional<Long> before = page.cursor().map(DefaultLedgerService::decodeCursor);
        // One extra row tells whether another page follows without a count query.
        List<LedgerEntry> rows = context.store().ledger().history(userId, before, page.limit() + 1);
        if (rows.size() <= page.limit()) {
            return new Page<>(rows, Optional.empty());
        }
        List<LedgerEntry> items = rows.subList(0, page.limit());
        return new Page<>(
                items, Optional.of(encodeCursor(items.get(items.size() - 1).id())));
    }

    private static String encodeCursor(long id) {
        return Long.toString(id, 36);
    }

    private static long decodeCursor(String cursor) {
        try {
            return Long.parseLong(cursor, 36);
        } catch (NumberFormatException e) {
            throw new InvalidRequestException("cursor", "is not a cursor returned by a previous page");
        }
    }

    @Override
    public void setLowBalanceAlert(UserId userId, long threshold) {
        Checks.notNull("userId", userId);
        if (threshold <= 0) {
            throw new InvalidRequestException("threshold", "must be positive, was " + threshold);
        }
        context.store()
                .outbox()
                .setLowBalanceThreshold(
                        userId, Optional.of(threshold), context.clock().instant());
    }

    @Override
    public void clearLowBalanceAlert(UserId userId) {
        Checks.notNull("userId", userId);
        context.store()
                .outbox()
                .setLowBalanceThreshold(
                        userId, Optional.empty(), context.clock().instant());
    }

    @Override
    public java.util.OptionalLong lowBalanceAlert(UserId userId) {
        return context.store()
                .outbox()
                .lowBalanceThreshold(Checks.notNull("userId", userId))
                .map(java.util.OptionalLong::of)
                .orElse(java.util.OptionalLong.empty());
    }

    @Override
    public void setSpendLimit(UserId userId, long tokensPerMonth) {
        Checks.notNull("userId", userId);
        if (tokensPerMonth <= 0) {
            throw new InvalidRequestException("tokensPerMonth", "must be positive, was " + tokensPerMonth);
        }
        context.store()
                .ledger()
                .setUsageLimit(
                        userId, Optional.of(tokensPerMonth), context.clock().instant());
    }

    @Override
    public void clearSpendLimit(UserId userId) {
        Checks.notNull("userId", userId);
        context.store()
                .ledger()
                .setUsageLimit(userId, Optional.empty(), context.clock().instant());
    }

    @Override
    public Optional<SpendLimit> spendLimit(UserId userId) {
        return context.store()
                .ledger()
                .usageLimit(Checks.notNull("userId", userId), context.clock().instant());
    }
}
