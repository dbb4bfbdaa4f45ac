package dev.tokenbilling.doctor;

import com.stripe.exception.SignatureVerificationException;
import com.stripe.net.Webhook;
import dev.tokenbilling.stripe.StripeKeys;
import dev.tokenbilling.stripe.WebhookVerification;
import java.security.GeneralSecurityException;
import java.util.List;

/**
 * {@code STRIPE_WEBHOOK_SECRET} is usable: set, accepted by the library, each entry a signing secret
 * ({@code whsec_}), and a payload signed with it verifies under the configured tolerance. Stripe
 * never returns an endpoint's secret after creation, so whether it is <em>that endpoint's</em> secret
 * cannot be proven here; the finding says so.
 */
final class WebhookSecretCheck implements Doctor.Check {

    private static final String WHERE = "set STRIPE_WEBHOOK_SECRET to the endpoint's signing secret (Stripe Dashboard"
            + " > Developers > Webhooks > the endpoint > Signing secret, or what 'billing stripe webhook-endpoint"
            + " create' printed)";

    @Override
    public String name() {
        return Doctor.WEBHOOK_SECRET;
    }

    @Override
    public CheckResult run(Examination exam) {
        if (exam.settings.webhooks == null) {
            return CheckResult.skipped(name(), "no webhook settings given");
        }
        WebhookVerification verification;
        try {
            verification = exam.settings.webhooks.get();
        } catch (RuntimeException e) {
            return CheckResult.fail(
                    name(), String.valueOf(e.getMessage()), WHERE + "; several are comma-separated, none blank");
        }
        List<String> secrets = verification.secrets();
        if (secrets.isEmpty()) {
            return CheckResult.fail(
                    name(),
                    "STRIPE_WEBHOOK_SECRET is not set: every delivery is answered 503 and no webhook is processed",
                    WHERE);
        }
        for (int i = 0; i < secrets.size(); i++) {
            String secret = secrets.get(i);
            String which = secrets.size() == 1 ? "STRIPE_WEBHOOK_SECRET" : "STRIPE_WEBHOOK_SECRET entry " + (i + 1);
            if (!StripeKeys.isWebhookSecret(secret)) {
                return CheckResult.fail(
                        name(),
                        which + " (" + StripeKeys.mask(secret) + ") is not a signing secret (whsec_...)"
                                + (StripeKeys.isSecretKey(secret) || StripeKeys.isPublishableKey(secret)
                                        ? ": it is an API key"
                                        : "")
                                + "; every delivery fails with \"Invalid signature\"",
                        WHERE);
            }
            if (!verifiesOwnSignature(secret, verification, exam)) {
                return CheckResult.fail(
                        name(),
                        which + " (" + StripeKeys.mask(secret) + ") does not verify a payload signed with it",
                        WHERE);
            }
        }
        int endpoints = exam.endpointsAtUrl().size();
        if (endpoints > secrets.size()) {
            return CheckResult.warn(
                    name(),
                    endpoints
                            + " enabled endpoints at the webhook URL sign with a secret each, but STRIPE_WEBHOOK_SECRET"
                            + " has " + secrets.size() + ": deliveries of the others fail with \"Invalid signature\"",
                    "delete the extra endpoints in Stripe Dashboard > Developers > Webhooks, or list every"
                            + " endpoint's secret in STRIPE_WEBHOOK_SECRET, comma-separated");
        }
        String masked = String.join(", ", secrets.stream().map(StripeKeys::mask).toList());
        return CheckResult.ok(
                name(),
                masked + ": well-formed, and a payload signed with it verifies; that it is the endpoint's own secret"
                        + " shows only in a delivery (Stripe never returns a secret after creation)");
    }

    /** Signs a synthetic event as Stripe does and verifies it as the webhook processor does (stripe-java, same tolerance). */
    private static boolean verifiesOwnSignature(String secret, WebhookVerification verification, Examination exam) {
        String payload = "{\"id\":\"evt_doctor\",\"object\":\"event\",\"type\":\"doctor.check\"}";
        try {
            long now = exam.settings.clock.instant().getEpochSecond();
            String header = Webhook.Signature.generateSignatureHeader(payload, secret, now);
            return Webhook.Signature.verifyHeader(
                    payload, header, secret, verification.tolerance().getSeconds(), exam.settings.clock);
        } catch (SignatureVerificationException | GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }
}
