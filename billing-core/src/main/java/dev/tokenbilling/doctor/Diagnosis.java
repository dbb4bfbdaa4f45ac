package dev.tokenbilling.doctor;

import java.util.List;
import java.util.Optional;

/** Every check's result, in the order they ran. */
public record Diagnosis(List<CheckResult> checks) {

    public Diagnosis {
        checks = List.copyOf(checks);
    }

    /** True when no check failed (warnings and skipped checks allowed). */
    public boolean healthy() {
        return count(Verdict.FAIL) == 0;
    }

    public long count(Verdict verdict) {
        return checks.stream().filter(check -> check.verdict() == verdict).count();
    }

    /** The result of the check with this name, if it ran. */
    public Optional<CheckResult> check(String name) {
        return checks.stream().filter(check -> check.name().equals(name)).findFirst();
    }
}
