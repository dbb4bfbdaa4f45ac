package dev.tokenbilling.model;

import java.util.Optional;

/** The outcome of one item of {@code consumeBatch}, in the order of the requests. */
public record UsageResult(
        Debit request, Status status, Optional<UsageReceipt> receipt, long available, Optional<String> error) {

    public enum Status {
        /** Debited now. */
        DEBITED,
        /** The idempotency key was seen before; the original receipt, nothing debited. */
        REPLAYED,
        /** Refused: the available balance (in {@code available}) was too small. Nothing debited. */
        INSUFFICIENT_TOKENS,
        /** Refused: the request itself was invalid ({@code error} says why). Nothing debited. */
        REJECTED,
        /** Refused by the user's monthly usage limit ({@code error} names it and when it resets). Nothing debited. */
        SPEND_LIMIT_REACHED
    }

    public static UsageResult of(Debit request, UsageReceipt receipt) {
        return new UsageResult(
                request,
                receipt.replayed() ? Status.REPLAYED : Status.DEBITED,
                Optional.of(receipt),
                receipt.balanceAfter(),
                Optional.empty());
    }

    public static UsageResult insufficient(Debit request, long available) {
        return new UsageResult(request, Status.INSUFFICIENT_TOKENS, Optional.empty(), available, Optional.empty());
    }

    public static UsageResult limitReached(Debit request, String error) {
        return new UsageResult(request, Status.SPEND_LIMIT_REACHED, Optional.empty(), 0, Optional.of(error));
    }

    public static UsageResult rejected(Debit request, String error) {
        return new UsageResult(request, Status.REJECTED, Optional.empty(), 0, Optional.of(error));
    }

    public boolean debited() {
        return status == Status.DEBITED;
    }
}
