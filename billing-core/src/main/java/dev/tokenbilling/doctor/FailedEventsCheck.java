package dev.tokenbilling.doctor;

import dev.tokenbilling.model.WebhookEventStatus;

/** No stored Stripe event failed processing: each one is a payment, refund or dispute not applied. */
final class FailedEventsCheck implements Doctor.Check {

    @Override
    public String name() {
        return Doctor.FAILED_EVENTS;
    }

    @Override
    public CheckResult run(Examination exam) {
        if (exam.service().isEmpty()) {
            return CheckResult.skipped(name(), exam.databaseSkipReason());
        }
        long failed = exam.service().get().operations().countWebhookEvents(WebhookEventStatus.FAILED);
        if (failed > 0) {
            return CheckResult.fail(
                    name(),
                    failed + " stored Stripe event" + (failed == 1 ? "" : "s") + " failed processing: what "
                            + (failed == 1 ? "it" : "they") + " reported is not applied",
                    "billing webhooks --failed shows why; fix the cause, then billing webhooks replay EVENT_ID"
                            + " (billing retry retries those due)");
        }
        return CheckResult.ok(name(), "no failed webhook event");
    }
}
