package dev.tokenbilling.service;

import dev.tokenbilling.model.CheckoutSession;
import dev.tokenbilling.model.Purchase;
import dev.tokenbilling.model.PurchaseIntent;
import dev.tokenbilling.model.PurchaseQuery;
import dev.tokenbilling.model.UserId;
import java.util.List;
import java.util.Optional;

/** Buying token packages through Stripe PaymentIntents. */
public interface PurchaseService {

    /**
     * Starts buying a package: records a pending purchase and creates its PaymentIntent (amount and
     * currency from the package; metadata with purchase id, user id, package slug and token amount;
     * an idempotency key derived from the purchase id). The tokens are credited exactly once when
     * Stripe reports the payment succeeded (webhook or reconciler).
     *
     * @throws dev.tokenbilling.error.UnknownPackageException when no package has the slug
     * @throws dev.tokenbilling.error.InactivePackageException when the package is no longer on sale
     * @throws dev.tokenbilling.error.PackageNotSyncedException when the package has no Stripe price yet
     * @throws dev.tokenbilling.error.BillingException {@code TOO_MANY_OPEN_PURCHASES} when the user has too many open purchases
     * @throws dev.tokenbilling.error.PaymentProviderException when Stripe fails; the purchase is then marked failed
     */
    PurchaseIntent start(UserId userId, String packageSlug);

    /**
     * Like {@link #start}, and keeps the card on the user's Stripe customer for off-session payments
     * (auto-recharge): the buyer's consent to save it must be asked on the page that pays.
     */
    PurchaseIntent startSavingCard(UserId userId, String packageSlug);

    /**
     * Starts buying the package through a Stripe Checkout Session (mode {@code payment}) instead of
     * the Payment Element: records a pending purchase and returns the session, whose URL the browser
     * goes to. The purchase completes from its PaymentIntent's events like any other, exactly once.
     *
     * @throws dev.tokenbilling.error.BillingException as {@link #start} does; {@code INVALID_REQUEST}
     *     for URLs that are not absolute http(s) ones
     */
    CheckoutSession startCheckout(UserId userId, String packageSlug, String successUrl, String cancelUrl);

    /**
     * Cancels an open purchase of this user and its PaymentIntent. If Stripe reports the payment
     * succeeded in the meantime, the purchase completes instead; the result shows which.
     *
     * @throws dev.tokenbilling.error.UnknownPurchaseException when the user has no such purchase
     */
    Purchase cancel(UserId userId, long purchaseId);

    /** The user's purchase with this id, if any (another user's purchase is not found). */
    Optional<Purchase> find(UserId userId, long purchaseId);

    /**
     * The user's purchase with this id.
     *
     * @throws dev.tokenbilling.error.UnknownPurchaseException when the user has no such purchase
     */
    Purchase get(UserId userId, long purchaseId);

    /** Purchases matching the query, newest first: e.g. the pending ones older than 15 minutes (operators). */
    List<Purchase> query(PurchaseQuery query);
}
