package dev.tokenbilling.payment;

import dev.tokenbilling.model.CardSetup;
import dev.tokenbilling.model.CheckoutSession;
import dev.tokenbilling.model.SavedCard;
import dev.tokenbilling.model.SubscriptionTier;
import dev.tokenbilling.model.TokenPackage;
import dev.tokenbilling.model.UserId;
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

    /**
     * Makes Stripe sell {@code tier}: one Product (metadata {@code tier_slug}) and an active
     * recurring Price per interval it is sold by, with lookup keys {@code tier:<slug>:month} and
     * {@code tier:<slug>:year} (a key no package slug can take); a changed amount gets a new Price
     * and the old one is archived; an inactive tier's Product is archived. A free tier is not sold
     * on Stripe. With {@code dryRun} nothing is written.
     */
    TierSync syncTier(SubscriptionTier tier, boolean dryRun);

    /** Creates the Stripe Customer of {@code userId} (metadata {@code user_id}); returns its id. */
    String createCustomer(UserId userId, String idempotencyKey);

    /** Creates a Checkout Session; the answer carries the URL of Stripe's hosted page. */
    CheckoutSession createCheckoutSession(CheckoutRequest request);

    /** Creates a Customer Portal session for {@code customerId}; returns its URL. */
    String createPortalSession(String customerId, String returnUrl);

    /** Raw JSON of the Subscription, as Stripe holds it now. */
    String retrieveSubscription(String subscriptionId);

    /** Sets whether the subscription ends at its period's end; returns its raw JSON afterwards. */
    String setCancelAtPeriodEnd(String subscriptionId, boolean cancelAtPeriodEnd);

    /** Raw JSON of the subscription's paid invoices, newest first, at most {@code limit}. */
    List<String> listPaidInvoices(String subscriptionId, int limit);

    /** Pays with a saved card, off-session; a decline or a card that needs the user is a result, not an exception. */
    OffSessionResult chargeOffSession(OffSessionRequest request);

    /** A SetupIntent that saves a card on {@code customerId} for off-session use, without a payment. */
    CardSetup createCardSetup(String customerId, String idempotencyKey);

    /** The cards saved on the customer, newest first. */
    List<SavedCard> savedCards(String customerId);

    /** Removes a saved card from its customer. */
    void removeCard(String paymentMethodId);

    /** Raw JSON of the events created since {@code since} whose type is one of {@code types}, oldest first. */
    List<String> listEvents(Instant since, Set<String> types);
}
