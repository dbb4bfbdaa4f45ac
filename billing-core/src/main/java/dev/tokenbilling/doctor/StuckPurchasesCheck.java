package dev.tokenbilling.doctor;

import java.time.Duration;

/** No purchase stays open longer than the reconciler's window: a paid one would still wait for its tokens. */
final class StuckPurchasesCheck implements Doctor.Check {

    @Override
    public String name() {
        return Doctor.STUCK_PURCHASES;
    }

    @Override
    public CheckResult run(Examination exam) {
        if (exam.service().isEmpty()) {
            return CheckResult.skipped(name(), exam.databaseSkipReason());
        }
        Duration window = exam.settings.stuckAfter;
        long stuck = exam.service().get().operations().countStuckPurchases(window);
        String age = Durations.format(window);
        if (stuck > 0) {
            return CheckResult.fail(
                    name(),
                    stuck + " purchase" + (stuck == 1 ? " has" : "s have") + " been open for more than " + age
                            + ": a paid one waits for its tokens (\"Tokens not added after payment\")",
                    "billing purchases --status open --older-than " + age + ", then billing retry --older-than " + age
                            + " (and schedule the reconciler: the starter's billing.reconciler)");
        }
        return CheckResult.ok(name(), "no purchase open for more than " + age);
    }
}
