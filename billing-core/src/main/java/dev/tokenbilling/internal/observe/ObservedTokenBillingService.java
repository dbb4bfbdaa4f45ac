package dev.tokenbilling.internal.observe;

import dev.tokenbilling.hook.BillingObserver;
import dev.tokenbilling.model.Adjustment;
import dev.tokenbilling.model.CheckoutSession;
import dev.tokenbilling.model.Debit;
import dev.tokenbilling.model.Grant;
import dev.tokenbilling.model.LedgerEntry;
import dev.tokenbilling.model.LedgerReceipt;
import dev.tokenbilling.model.Page;
import dev.tokenbilling.model.PageRequest;
import dev.tokenbilling.model.Purchase;
import dev.tokenbilling.model.PurchaseIntent;
import dev.tokenbilling.model.PurchaseQuery;
import dev.tokenbilling.model.Reservation;
import dev.tokenbilling.model.ReservationRequest;
import dev.tokenbilling.model.Settlement;
import dev.tokenbilling.model.TokenBalance;
import dev.tokenbilling.model.TokenLot;
import dev.tokenbilling.model.UsageReceipt;
import dev.tokenbilling.model.UsageResult;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.model.VoidResult;
import dev.tokenbilling.service.CatalogService;
import dev.tokenbilling.service.LedgerService;
import dev.tokenbilling.service.OperationsService;
import dev.tokenbilling.service.PurchaseService;
import dev.tokenbilling.service.RechargeService;
import dev.tokenbilling.service.ReservationService;
import dev.tokenbilling.service.SubscriptionService;
import dev.tokenbilling.service.TokenBillingService;
import java.util.List;
import java.util.Optional;

/**
 * The facade with every write that moves tokens or money observed: purchases started and canceled,
 * debits and batches, grants, adjustments, voids, holds reserved, settled and released. Reads pass
 * through unobserved (they are cheap and many).
 */
public final class ObservedTokenBillingService implements TokenBillingService {

    private final TokenBillingService delegate;
    private final LedgerService ledger;
    private final ReservationService reservations;
    private final PurchaseService purchases;

    public ObservedTokenBillingService(TokenBillingService delegate, BillingObserver observer) {
        Observe observe = new Observe(observer);
        this.delegate = delegate;
        this.ledger = new Ledger(delegate.ledger(), observe);
        this.reservations = new Reservations(delegate.reservations(), observe);
        this.purchases = new Purchases(delegate.purchases(), observe);
    }

    @Override
    public CatalogService catalog() {
        return delegate.catalog();
    }

    @Override
    public LedgerService ledger() {
        return ledger;
    }

    @Override
    public ReservationService reservations() {
        return reservations;
    }

    @Override
    public PurchaseService purchases() {
        return purchases;
    }

    @Override
    public RechargeService recharge() {
        return delegate.recharge();
    }

    /** Subscription changes arrive by webhook, where the webhook processor's observation covers them. */
    @Override
    public SubscriptionService subscriptions() {
        return delegate.subscriptions();
    }

    @Override
    public OperationsService operations() {
        return delegate.operations();
    }

    private record Ledger(LedgerService delegate, Observe observe) implements LedgerService {

        @Override
        public void setSpendLimit(UserId userId, long tokensPerMonth) {
            delegate.setSpendLimit(userId, tokensPerMonth);
        }

        @Override
        public void clearSpendLimit(UserId userId) {
            delegate.clearSpendLimit(userId);
        }

        @Override
        public Optional<dev.tokenbilling.model.SpendLimit> spendLimit(UserId userId) {
            return delegate.spendLimit(userId);
        }

        @Override
        public void setLowBalanceAlert(UserId userId, long threshold) {
            delegate.setLowBalanceAlert(userId, threshold);
        }

        @Override
        public void clearLowBalanceAlert(UserId userId) {
            delegate.clearLowBalanceAlert(userId);
        }

        @Override
        public java.util.OptionalLong lowBalanceAlert(UserId userId) {
            return delegate.lowBalanceAlert(userId);
        }

        @Override
        public TokenBalance balance(UserId userId) {
            return delegate.balance(userId);
        }

        @Override
        public List<TokenBalance> balances(int limit, boolean negativeOnly) {
            return delegate.balances(limit, negativeOnly);
        }

        @Override
        public UsageReceipt debit(Debit debit) {
            return observe.run(
                    "billing.ledger.debit",
                    () -> delegate.debit(debit),
                    receipt -> receipt.replayed() ? "replayed" : "debited");
        }

        @Override
        public List<UsageResult> debitAll(List<Debit> debits) {
            return observe.run(
                    "billing.ledger.debit-batch",
                    () -> delegate.debitAll(debits),
                    results -> results.stream().allMatch(UsageResult::debited) ? "debited" : "partly-debited");
        }

        @Override
        public LedgerReceipt grant(Grant grant) {
            return observe.run("billing.ledger.grant", () -> delegate.grant(grant));
        }

        @Override
        public LedgerReceipt adjust(Adjustment adjustment) {
            return observe.run("billing.ledger.adjust", () -> delegate.adjust(adjustment));
        }

        @Override
        public VoidResult voidGrant(UserId userId, long lotId, String reason) {
            return observe.run("billing.ledger.void", () -> delegate.voidGrant(userId, lotId, reason));
        }

        @Override
        public List<TokenLot> lots(UserId userId) {
            return delegate.lots(userId);
        }

        @Override
        public List<TokenLot> allLots(UserId userId) {
            return delegate.allLots(userId);
        }

        @Override
        public Page<LedgerEntry> history(UserId userId, PageRequest page) {
            return delegate.history(userId, page);
        }
    }

    private record Reservations(ReservationService delegate, Observe observe) implements ReservationService {

        @Override
        public Reservation reserve(ReservationRequest request) {
            return observe.run("billing.reservation.reserve", () -> delegate.reserve(request));
        }

        @Override
        public Settlement settle(UserId userId, long reservationId, long actualTokens) {
            return observe.run(
                    "billing.reservation.settle", () -> delegate.settle(userId, reservationId, actualTokens));
        }

        @Override
        public Reservation release(UserId userId, long reservationId) {
            return observe.run("billing.reservation.release", () -> delegate.release(userId, reservationId));
        }

        @Override
        public Optional<Reservation> find(UserId userId, long reservationId) {
            return delegate.find(userId, reservationId);
        }

        @Override
        public Reservation get(UserId userId, long reservationId) {
            return delegate.get(userId, reservationId);
        }

        @Override
        public List<Reservation> active(UserId userId) {
            return delegate.active(userId);
        }
    }

    private record Purchases(PurchaseService delegate, Observe observe) implements PurchaseService {

        @Override
        public PurchaseIntent start(UserId userId, String packageSlug) {
            return observe.run("billing.purchase.start", () -> delegate.start(userId, packageSlug));
        }

        @Override
        public PurchaseIntent startSavingCard(UserId userId, String packageSlug) {
            return observe.run("billing.purchase.start", () -> delegate.startSavingCard(userId, packageSlug));
        }

        @Override
        public CheckoutSession startCheckout(UserId userId, String packageSlug, String successUrl, String cancelUrl) {
            return observe.run(
                    "billing.purchase.start", () -> delegate.startCheckout(userId, packageSlug, successUrl, cancelUrl));
        }

        @Override
        public Purchase cancel(UserId userId, long purchaseId) {
            return observe.run("billing.purchase.cancel", () -> delegate.cancel(userId, purchaseId));
        }

        @Override
        public Optional<Purchase> find(UserId userId, long purchaseId) {
            return delegate.find(userId, purchaseId);
        }

        @Override
        public Purchase get(UserId userId, long purchaseId) {
            return delegate.get(userId, purchaseId);
        }

        @Override
        public List<Purchase> query(PurchaseQuery query) {
            return delegate.query(query);
        }
    }
}
