package dev.tokenbilling.payment;

import dev.tokenbilling.model.TokenPackage;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * The payment provider, as the library needs it. The stripe-java implementation is built from
 * {@code StripeApi}; tests point it at FakeStripe. Every method throws
 * {@code PaymentProviderException} on failure, with a retryable flag.
 */
public interface PaymentGateway {

    PaymentIntentSnapshot createPaymentIntent(PaymentIntentRequest request);

    PaymentIntentSnapshot retrievePaymentIntent(String paymentIntentId);

    /** Cancels the PaymentIntent; returns its state afterwards (which may be {@code succeeded} if it won a race). */
    PaymentIntentSnapshot cancelPaymentIntent(String paymentIntentId);

    /**
     * Makes Stripe sell {@code tokenPackage}: one Product (metadata {@code package_slug}) and one active
     * one-time Price with {@code lookup_key} = slug; a changed amount gets a new Price and the old one
     * is archived; an inactive package's Product is archived. With {@code dryRun} nothing is written
     * and the result says what would change.
     */
    PackageSync syncPackage(TokenPackage tokenPackage, boolean dryRun);

    /** Raw JSON of the events created since {@code since} whose type is one of {@code types}, oldest first. */
    List<String> listEvents(Instant since, Set<String> types);
}
