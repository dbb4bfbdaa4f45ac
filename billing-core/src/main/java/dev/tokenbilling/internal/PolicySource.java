package dev.tokenbilling.internal;

import java.util.function.Supplier;

/**
 * The policies stored with the schema, read once: at build time when the database answers, or at
 * first use when it was down then (a host may start before its database). Thread-safe.
 */
public final class PolicySource {

    private final Supplier<StoredPolicies> resolver;
    private volatile StoredPolicies resolved;

    public PolicySource(Supplier<StoredPolicies> resolver) {
        this.resolver = resolver;
    }

    /** The policies; reads them from the store the first time (a failure is retried on the next call). */
    public StoredPolicies get() {
        StoredPolicies policies = resolved;
        if (policies == null) {
            synchronized (this) {
                if (resolved == null) {
                    resolved = resolver.get();
                }
                policies = resolved;
            }
        }
        return policies;
    }
}
