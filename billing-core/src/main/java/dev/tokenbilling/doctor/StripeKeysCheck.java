package dev.tokenbilling.doctor;

import dev.tokenbilling.error.PaymentProviderException;
import dev.tokenbilling.stripe.StripeApi;
import dev.tokenbilling.stripe.StripeKeys;

/**
 * The Stripe keys are set, of one mode (the library's own rules, {@link StripeApi.Builder#build()}), and
 * Stripe accepts the secret key (one read: the account's webhook endpoints, which later checks use).
 */
final class StripeKeysCheck implements Doctor.Check {

    @Override
    public String name() {
        return Doctor.STRIPE_KEYS;
    }

    @Override
    public CheckResult run(Examination exam) {
        Examination.StripeState stripe = exam.stripe();
        if (stripe.missing()) {
            return CheckResult.skipped(
                    name(),
                    "STRIPE_SECRET_KEY is not set: nothing at Stripe is checked",
                    "export STRIPE_SECRET_KEY=sk_test_... (Stripe Dashboard > Developers > API keys)");
        }
        if (stripe.problem().isPresent()) {
            return CheckResult.fail(
                    name(),
                    stripe.problem().get(),
                    "set STRIPE_SECRET_KEY and STRIPE_PUBLIC_KEY to keys of one account and one mode, sk_test_ with"
                            + " pk_test_ or sk_live_ with pk_live_ (Stripe Dashboard > Developers > API keys);"
                            + " 'billing config' shows what is in effect");
        }
        StripeApi api = stripe.api().orElseThrow();
        String key = StripeKeys.mask(api.secretKey());
        try {
            exam.endpoints();
        } catch (PaymentProviderException e) {
            return switch (e.reason()) {
                case AUTHENTICATION ->
                    CheckResult.fail(
                            name(),
                            "Stripe rejected STRIPE_SECRET_KEY " + key,
                            "set STRIPE_SECRET_KEY to a valid secret key of the account (Stripe Dashboard > Developers > API keys)");
                case PERMISSION ->
                    CheckResult.warn(
                            name(),
                            "Stripe accepts " + key + " but it may not read webhook endpoints: " + e.getMessage(),
                            "give the restricted key read access to Webhook Endpoints, or use the account's secret key");
                default ->
                    CheckResult.fail(
                            name(),
                            e.getMessage(),
                            "check the connection to Stripe (--stripe-api-base / STRIPE_API_BASE), then run 'billing doctor' again");
            };
        }
        String publishable = api.publishableKey()
                .map(pk -> ", publishable key " + StripeKeys.mask(pk) + " of the same mode")
                .orElse("; no publishable key set (STRIPE_PUBLIC_KEY) to compare");
        return CheckResult.ok(
                name(),
                StripeKeys.mode(api.secretKey()) + " mode: Stripe accepts STRIPE_SECRET_KEY " + key + publishable);
    }
}
