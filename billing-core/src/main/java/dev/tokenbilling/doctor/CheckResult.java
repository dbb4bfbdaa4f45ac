package dev.tokenbilling.doctor;

import java.util.Objects;
import java.util.Optional;

/**
 * One check's outcome.
 *
 * @param name    stable id of the check, e.g. {@value Doctor#PACKAGES}
 * @param verdict how it came out
 * @param finding one line saying what was found (never a secret; keys are masked)
 * @param fix     a concrete command or setting that repairs it; empty when there is nothing to do
 */
public record CheckResult(String name, Verdict verdict, String finding, Optional<String> fix) {

    public CheckResult {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(verdict, "verdict");
        Objects.requireNonNull(finding, "finding");
        Objects.requireNonNull(fix, "fix");
    }

    public static CheckResult ok(String name, String finding) {
        return new CheckResult(name, Verdict.OK, finding, Optional.empty());
    }

    public static CheckResult warn(String name, String finding, String fix) {
        return new CheckResult(name, Verdict.WARN, finding, Optional.of(fix));
    }

    public static CheckResult fail(String name, String finding, String fix) {
        return new CheckResult(name, Verdict.FAIL, finding, Optional.of(fix));
    }

    public static CheckResult skipped(String name, String reason) {
        return new CheckResult(name, Verdict.SKIPPED, reason, Optional.empty());
    }

    public static CheckResult skipped(String name, String reason, String fix) {
        return new CheckResult(name, Verdict.SKIPPED, reason, Optional.of(fix));
    }
}
