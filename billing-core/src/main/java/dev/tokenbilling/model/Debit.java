package dev.tokenbilling.model;

/**
 * A debit of metered usage: {@code tokens} from the user's balance, exactly once per {@code key}.
 * Build it with {@link #of} and {@link #withDescription}; invalid values are refused here, before
 * anything reaches the ledger.
 *
 * <pre>{@code
 * Debit.of(UserId.of("42"), 1_250, IdempotencyKey.of("req-7f3a")).withDescription("chat completion")
 * }</pre>
 */
public record Debit(UserId userId, long tokens, IdempotencyKey key, String description) {

    public Debit {
        Text.notNull("userId", userId);
        Text.positiveTokens("tokens", tokens);
        Text.notNull("idempotencyKey", key);
        description = Text.optional("description", description);
    }

    public static Debit of(UserId userId, long tokens, IdempotencyKey key) {
        return new Debit(userId, tokens, key, "");
    }

    public Debit withDescription(String newDescription) {
        return new Debit(userId, tokens, key, newDescription);
    }
}
