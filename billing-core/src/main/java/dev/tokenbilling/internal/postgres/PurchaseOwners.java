package dev.tokenbilling.internal.postgres;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Which user each purchase belongs to, remembered by a store on Citus, where the statements that lock
 * or change a purchase must name its user: a purchase never changes hands, so one lookup serves a
 * webhook's lock, completion and credit alike. Bounded: emptied when it grows past its limit.
 */
final class PurchaseOwners {

    private static final int LIMIT = 10_000;

    private final Map<Long, String> owners = new ConcurrentHashMap<>();

    /** The owner of {@code purchaseId}, from memory or else from {@code lookup} (remembered when found). */
    Optional<String> of(long purchaseId, Supplier<Optional<String>> lookup) {
        String known = owners.get(purchaseId);
        if (known != null) {
            return Optional.of(known);
        }
        Optional<String> found = lookup.get();
        found.ifPresent(user -> {
            if (owners.size() >= LIMIT) {
                owners.clear();
            }
            owners.put(purchaseId, user);
        });
        return found;
    }
}
