package dev.tokenbilling.doctor;

import dev.tokenbilling.error.BillingException;
import dev.tokenbilling.service.TokenBillingService;
import dev.tokenbilling.stripe.StripeAccount;
import dev.tokenbilling.stripe.StripeApi;
import java.util.List;
import java.util.Optional;

/**
 * One run of the doctor: its inputs, and what earlier checks established for later ones (the
 * database answers, the Stripe settings, the account's webhook endpoints, read once).
 */
final class Examination {

    final Doctor.Builder settings;
    private TokenBillingService service;
    private String databaseSkipReason = "the database check failed";
    private StripeState stripe;
    private List<StripeAccount.WebhookEndpoint> endpoints;
    private BillingException endpointsFailure;
    private List<StripeAccount.WebhookEndpoint> endpointsAtUrl = List.of();

    Examination(Doctor.Builder settings) {
        this.settings = settings;
    }

    void databaseAnswered(TokenBillingService service) {
        this.service = service;
    }

    void databaseSkipped(String reason) {
        this.databaseSkipReason = reason;
    }

    /** The services, when the database check passed. */
    Optional<TokenBillingService> service() {
        return Optional.ofNullable(service);
    }

    String databaseSkipReason() {
        return databaseSkipReason;
    }

    /** The Stripe settings, read once. */
    StripeState stripe() {
        if (stripe == null) {
            stripe = StripeState.read(settings);
        }
        return stripe;
    }

    /** The account's webhook endpoints, listed once; throws what Stripe answered. */
    List<StripeAccount.WebhookEndpoint> endpoints() {
        if (endpoints == null && endpointsFailure == null) {
            try {
                endpoints = stripe().account().orElseThrow().webhookEndpoints();
            } catch (BillingException e) {
                endpointsFailure = e;
            }
        }
        if (endpointsFailure != null) {
            throw endpointsFailure;
        }
        return endpoints;
    }

    /** The enabled endpoints at the webhook URL, as the endpoint check found them. */
    List<StripeAccount.WebhookEndpoint> endpointsAtUrl() {
        return endpointsAtUrl;
    }

    void endpointsAtUrl(List<StripeAccount.WebhookEndpoint> found) {
        this.endpointsAtUrl = List.copyOf(found);
    }

    /** The Stripe settings: none (no key), refused (with the reason), or usable with an account client. */
    record StripeState(Optional<StripeApi> api, Optional<String> problem, Optional<StripeAccount> account) {

        static StripeState read(Doctor.Builder settings) {
            try {
                Optional<StripeApi> api = settings.stripe.get();
                if (api.isEmpty()) {
                    return new StripeState(Optional.empty(), Optional.empty(), Optional.empty());
                }
                if (settings.stripeAccount == null) {
                    return new StripeState(api, Optional.of("no Stripe client given to the doctor"), Optional.empty());
                }
                return new StripeState(api, Optional.empty(), Optional.of(settings.stripeAccount.apply(api.get())));
            } catch (RuntimeException e) {
                return new StripeState(Optional.empty(), Optional.of(String.valueOf(e.getMessage())), Optional.empty());
            }
        }

        boolean missing() {
            return api.isEmpty() && problem.isEmpty();
        }

        /** Why a check that needs Stripe is skipped; empty when it can run. */
        Optional<String> skipReason() {
            if (missing()) {
                return Optional.of("no Stripe key (STRIPE_SECRET_KEY)");
            }
            return problem.map(p -> "the Stripe settings are refused (see " + Doctor.STRIPE_KEYS + ")");
        }
    }
}
