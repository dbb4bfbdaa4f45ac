package dev.tokenbilling.testkit.stripe.internal;

import java.util.HashMap;
import java.util.Map;

/**
 * Results kept per {@code Idempotency-Key}: a repeat with the same method, path and parameters gets the
 * kept answer; a repeat with anything else is refused with {@code idempotency_error}. Guarded by the
 * state lock.
 */
public final class IdempotencyCache {
    /** A kept answer. */
    public record Entry(String fingerprint, int status, byte[] body, String requestId) {}

    private final Map<String, Entry> entries = new HashMap<>();

    /** The kept answer for this key, or null. */
    public Entry find(String key) {
        return entries.get(key);
    }

    /** Keeps an answer. */
    public void put(String key, Entry entry) {
        entries.put(key, entry);
    }

    /** Forgets all keys. */
    public void clear() {
        entries.clear();
    }

    /** The error for a key reused with other parameters. */
    public static StripeApiError mismatch(String key) {
        return StripeApiError.idempotency(
                "Keys for idempotent requests can only be used with the same parameters they were first used"
                        + " with. Try using a key other than '"
                        + key
                        + "' if you meant to execute a different request.");
    }
}
