package dev.tokenbilling.doctor;

import dev.tokenbilling.error.BillingException;
import dev.tokenbilling.stripe.StripeAccount.WebhookEndpoint;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Stripe has an enabled webhook endpoint at the application's URL sending every event type the
 * library acts on; without one, paid purchases wait for the reconciler ("Tokens not added after payment").
 */
final class WebhookEndpointCheck implements Doctor.Check {

    @Override
    public String name() {
        return Doctor.WEBHOOK_ENDPOINT;
    }

    @Override
    public CheckResult run(Examination exam) {
        Optional<String> skip = exam.stripe().skipReason();
        if (skip.isPresent()) {
            return CheckResult.skipped(name(), skip.get());
        }
        List<WebhookEndpoint> all;
        try {
            all = exam.endpoints();
        } catch (BillingException e) {
            return CheckResult.skipped(
                    name(), "Stripe's webhook endpoints cannot be read (see " + Doctor.STRIPE_KEYS + ")");
        }
        if (exam.settings.webhookUrl.isEmpty()) {
            return CheckResult.skipped(
                    name(),
                    "no webhook URL given; " + registered(all),
                    "billing doctor --webhook-url https://YOUR.APP/api/billing/webhook (or BILLING_WEBHOOK_URL)");
        }
        String url = exam.settings.webhookUrl.get();
        String create = "billing stripe webhook-endpoint create --url " + url
                + ", then set STRIPE_WEBHOOK_SECRET to the secret it prints";
        List<WebhookEndpoint> atUrl =
                all.stream().filter(e -> sameUrl(e.url(), url)).toList();
        if (atUrl.isEmpty()) {
            return CheckResult.fail(
                    name(),
                    "no webhook endpoint at Stripe for " + url + ": Stripe sends this application no events ("
                            + registered(all) + ")",
                    create);
        }
        List<WebhookEndpoint> enabled =
                atUrl.stream().filter(WebhookEndpoint::enabled).toList();
        exam.endpointsAtUrl(enabled);
        if (enabled.isEmpty()) {
            String id = atUrl.get(0).id();
            return CheckResult.fail(
                    name(),
                    "the webhook endpoint " + id + " at " + url + " is "
                            + atUrl.get(0).status(),
                    "enable " + id + " in Stripe Dashboard > Developers > Webhooks");
        }
        Set<String> needed = exam.settings.eventTypes;
        WebhookEndpoint best = enabled.stream()
                .min(Comparator.comparingInt(e -> e.missing(needed).size()))
                .orElseThrow();
        Set<String> missing = best.missing(needed);
        if (!missing.isEmpty()) {
            return CheckResult.fail(
                    name(),
                    "the webhook endpoint " + best.id() + " does not send " + missing.size() + " of the "
                            + needed.size() + " event types the library needs: " + String.join(", ", missing),
                    "add them to " + best.id() + " in Stripe Dashboard > Developers > Webhooks, or replace it: "
                            + create);
        }
        return CheckResult.ok(
                name(),
                "the webhook endpoint " + best.id() + " at " + url + " is enabled and sends all " + needed.size()
                        + " event types the library needs");
    }

    private static boolean sameUrl(String registered, String wanted) {
        return registered != null && strip(registered).equalsIgnoreCase(strip(wanted));
    }

    private static String strip(String url) {
        return url.trim().replaceAll("/+$", "");
    }

    private static String registered(List<WebhookEndpoint> all) {
        if (all.isEmpty()) {
            return "the account has no webhook endpoint";
        }
        return "registered: "
                + String.join(", ", all.stream().map(WebhookEndpoint::url).toList());
    }
}
