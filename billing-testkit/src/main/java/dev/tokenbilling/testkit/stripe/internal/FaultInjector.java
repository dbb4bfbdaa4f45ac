package dev.tokenbilling.testkit.stripe.internal;

import dev.tokenbilling.testkit.stripe.FaultKind;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** Faults queued for the next requests whose path starts with a prefix. Thread-safe. */
public final class FaultInjector {
    private static final class Rule {
        final String prefix;
        final FaultKind kind;
        int remaining;

        Rule(String prefix, FaultKind kind, int remaining) {
            this.prefix = prefix;
            this.kind = kind;
            this.remaining = remaining;
        }
    }

    private final List<Rule> rules = new ArrayList<>();

    /** The next {@code n} requests under {@code pathPrefix} get {@code kind}. */
    public synchronized void add(String pathPrefix, int n, FaultKind kind) {
        if (n > 0) {
            rules.add(new Rule(pathPrefix, kind, n));
        }
    }

    /** Takes the fault for a request to {@code path}, or null. */
    public synchronized FaultKind take(String path) {
        Iterator<Rule> it = rules.iterator();
        while (it.hasNext()) {
            Rule rule = it.next();
            if (path.startsWith(rule.prefix)) {
                rule.remaining--;
                if (rule.remaining <= 0) {
                    it.remove();
                }
                return rule.kind;
            }
        }
        return null;
    }

    /** Drops all queued faults. */
    public synchronized void clear() {
        rules.clear();
    }
}
