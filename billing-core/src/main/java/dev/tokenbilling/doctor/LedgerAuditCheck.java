package dev.tokenbilling.doctor;

import java.util.List;

/** The ledger's invariants hold: balances are the sum of their entries, one credit per credited purchase, ... */
final class LedgerAuditCheck implements Doctor.Check {

    @Override
    public String name() {
        return Doctor.LEDGER;
    }

    @Override
    public CheckResult run(Examination exam) {
        if (exam.service().isEmpty()) {
            return CheckResult.skipped(name(), exam.databaseSkipReason());
        }
        List<String> violations = exam.service().get().operations().audit().violations();
        if (!violations.isEmpty()) {
            return CheckResult.fail(
                    name(),
                    violations.size() + " ledger invariant" + (violations.size() == 1 ? " is" : "s are")
                            + " violated, first: " + violations.get(0),
                    "billing audit lists them all; once the cause is found, correct balances with"
                            + " billing adjust USER ±TOKENS --reason ...");
        }
        return CheckResult.ok(name(), "the ledger audit passed: every invariant holds");
    }
}
