package dev.tokenbilling.internal.service;

import dev.tokenbilling.service.CatalogService;
import dev.tokenbilling.service.LedgerService;
import dev.tokenbilling.service.OperationsService;
import dev.tokenbilling.service.PurchaseService;
import dev.tokenbilling.service.RechargeService;
import dev.tokenbilling.service.ReservationService;
import dev.tokenbilling.service.SubscriptionService;
import dev.tokenbilling.service.TokenBillingService;

/** The facade: each domain service made once. */
public record DefaultTokenBillingService(
        CatalogService catalog,
        LedgerService ledger,
        ReservationService reservations,
        PurchaseService purchases,
        SubscriptionService subscriptions,
        RechargeService recharge,
        OperationsService operations)
        implements TokenBillingService {

    public static TokenBillingService create(ServiceContext context) {
        return new DefaultTokenBillingService(
                new DefaultCatalogService(context),
                new DefaultLedgerService(context),
                new DefaultReservationService(context),
                new DefaultPurchaseService(context),
                new DefaultSubscriptionService(context),
                new DefaultRechargeService(context),
                new DefaultOperationsService(context));
    }
}
