package dev.tokenbilling.model;

import java.util.List;

/** What a ledger audit found: each violation of the ledger's invariants, in words; none when the ledger is sound. */
public record AuditReport(List<String> violations) {

    public AuditReport {
        violations = List.copyOf(violations);
    }

    public boolean sound() {
        return violations.isEmpty();
    }
}
