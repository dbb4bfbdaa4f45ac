package dev.tokenbilling.internal.service;

import dev.tokenbilling.error.BillingError;
import dev.tokenbilling.error.BillingException;
import dev.tokenbilling.error.InactivePackageException;
import dev.tokenbilling.error.PackageNotSyncedException;
import dev.tokenbilling.error.PaymentProviderException;
import dev.tokenbilling.error.UnknownPackageException;
import dev.tokenbilling.error.UnknownPurchaseException;
import dev.tokenbilling.internal.AfterCommit;
import dev.tokenbilling.model.CheckoutSession;
import dev.tokenbilling.model.Purchase;
import dev.tokenbilling.model.PurchaseIntent;
import dev.tokenbilling.model.PurchaseQuery;
import dev.tokenbilling.model.PurchaseStatus;
import dev.tokenbilling.model.TokenPackage;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.payment.CheckoutRequest;
import dev.tokenbilling.payment.PaymentGateway;
import dev.tokenbilling.payment.PaymentIntentRequest;
import dev.tokenbilling.payment.PaymentIntentSnapshot;
import dev.tokenbilling.service.PurchaseService;
import dev.tokenbilling.store.NewPurchase;
import java.util.List;
import java.util.Map;
import java.util.Optional;

final class DefaultPurchaseService implements PurchaseService {

    private final ServiceContext context;

    DefaultPurchaseService(ServiceContext context) {
        this.context = context;
    }

    @Override
    public PurchaseIntent start(UserId userId, String packageSlug) {
        Checks.notNull("userId", userId);
        return start(userId, packageSlug, false);
    }

    @Override
    public PurchaseIntent startSavingCard(UserId userId, String packageSlug) {
        Checks.notNull("userId", userId);
        return start(userId, packageSlug, true);
    }

    private PurchaseIntent start(UserId userId, String packageSlug, boolean saveCard) {
        PaymentGateway payments = context.requireGateway();
        TokenPackage pack = purchasable(userId, packageSlug);
        // A saved card belongs to the user's own customer, made once and reused.
        Optional<String> customer = saveCard
                ? Optional.of(context.stripeCustomer(userId, payments))
                : context.customers().customerFor(userId);
        Purchase purchase = record(userId, pack, customer);
        PaymentIntentSnapshot intent;
        try {
            intent = payments.createPaymentIntent(new PaymentIntentRequest(
                    pack.price(),
                    pack.name() + " - " + pack.tokenAmount() + " tokens",
                    metadata(userId, pack, purchase),
                    customer,
                    "tb-purchase-" + purchase.id(),
                    saveCard));
        } catch (PaymentProviderException e) {
            fail(purchase, e);
            throw e;
        }
        context.store()
                .purchases()
                .attachPaymentIntent(purchase.id(), intent.id(), context.clock().instant());
        context.notify(listener -> listener.purchaseStarted(purchase));
        return new PurchaseIntent(
                purchase.id(),
                intent.id(),
                intent.clientSecret()
                        .orElseThrow(() -> new PaymentProviderException(
                                PaymentProviderException.Reason.PROVIDER_ERROR,
                                "Stripe returned no client secret",
                                "no_client_secret",
                                true,
                                null)),
                pack.price(),
                pack.tokenAmount());
    }

    @Override
    public CheckoutSession startCheckout(UserId userId, String packageSlug, String successUrl, String cancelUrl) {
        Checks.notNull("userId", userId);
        Checks.webUrl("successUrl", successUrl);
        Checks.webUrl("cancelUrl", cancelUrl);
        PaymentGateway payments = context.requireGateway();
        TokenPackage pack = purchasable(userId, packageSlug);
        String customer = context.stripeCustomer(userId, payments);
        Purchase purchase = record(userId, pack, Optional.of(customer));
        CheckoutSession session;
        try {
            // The session's PaymentIntent carries the purchase in its metadata: its events credit it.
            session = payments.createCheckoutSession(new CheckoutRequest(
                    false,
                    pack.stripePriceId().orElseThrow(),
                    customer,
                    successUrl,
                    cancelUrl,
                    userId.value(),
                    metadata(userId, pack, purchase),
                    "tb-purchase-checkout-" + purchase.id()));
        } catch (PaymentProviderException e) {
            fail(purchase, e);
            throw e;
        }
        context.notify(listener -> listener.purchaseStarted(purchase));
        return new CheckoutSession(session.id(), session.url(), Optional.of(purchase.id()));
    }

    private static Map<String, String> metadata(UserId userId, TokenPackage pack, Purchase purchase) {
        return Map.of(
                "purchase_id",
                Long.toString(purchase.id()),
                "user_id",
                userId.value(),
                "package_slug",
                pack.slug(),
                "token_amount",
                Long.toString(pack.tokenAmount()));
    }

    private void fail(Purchase purchase, PaymentProviderException e) {
        context.store()
                .purchases()
                .transition(
                        purchase.id(),
                        PurchaseStatus.OPEN,
                        PurchaseStatus.FAILED,
                        Optional.of("provider_" + e.providerCode()),
                        Optional.of(e.getMessage()),
                        context.clock().instant());
    }

    private Purchase record(UserId userId, TokenPackage pack, Optional<String> customer) {
        return context.store()
                .purchases()
                .insert(new NewPurchase(
                        userId,
                        pack.id(),
                        pack.slug(),
                        pack.tokenAmount(),
                        pack.price(),
                        customer,
                        context.clock().instant(),
                        pack.validityDays()));
    }

    /** The package, when it can be bought now by this user. */
    private TokenPackage purchasable(UserId userId, String packageSlug) {
        TokenPackage pack = context.store()
                .packages()
                .findBySlug(Checks.notNull("packageSlug", packageSlug))
                .orElseThrow(() -> new UnknownPackageException(packageSlug));
        if (!pack.active()) {
            throw new InactivePackageException(packageSlug);
        }
        if (pack.stripePriceId().isEmpty()) {
            throw new PackageNotSyncedException(packageSlug);
        }
        // A loop on "buy" must not create PaymentIntents without end.
        long open = context.store().purchases().countOpen(userId);
        if (open >= context.maxOpenPurchasesPerUser()) {
            throw new BillingException(
                    BillingError.TOO_MANY_OPEN_PURCHASES,
                    "User " + userId + " has " + open + " open purchases (at most " + context.maxOpenPurchasesPerUser()
                            + "): finish or cancel one first");
        }
        return pack;
    }

    @Override
    public Purchase cancel(UserId userId, long purchaseId) {
        Purchase purchase = get(userId, purchaseId);
        if (!purchase.status().open()) {
            return purchase;
        }
        if (purchase.paymentIntentId().isPresent()) {
            PaymentIntentSnapshot intent = context.requireGateway()
                    .cancelPaymentIntent(purchase.paymentIntentId().get());
            AfterCommit after = new AfterCommit();
            context.store()
                    .inTransaction(tx -> context.transitions().applyPaymentIntent(tx, purchaseId, intent, after));
            after.fire(context.listeners());
        } else {
            context.store()
                    .purchases()
                    .transition(
                            purchaseId,
                            PurchaseStatus.OPEN,
                            PurchaseStatus.CANCELED,
                            Optional.empty(),
                            Optional.empty(),
                            context.clock().instant());
        }
        return get(userId, purchaseId);
    }

    @Override
    public Optional<Purchase> find(UserId userId, long purchaseId) {
        Checks.notNull("userId", userId);
        return context.store()
                .purchases()
                .findById(purchaseId)
                .filter(purchase -> purchase.userId().equals(userId));
    }

    @Override
    public Purchase get(UserId userId, long purchaseId) {
        return find(userId, purchaseId).orElseThrow(() -> new UnknownPurchaseException(Long.toString(purchaseId)));
    }

    @Override
    public List<Purchase> query(PurchaseQuery query) {
        return context.store().purchases().find(Checks.notNull("query", query));
    }
}
