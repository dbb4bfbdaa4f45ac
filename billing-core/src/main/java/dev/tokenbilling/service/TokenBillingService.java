package dev.tokenbilling.service;

/**
 * The library's facade: one small service per domain, each an interface a host can mock. Get it
 * from {@code TokenBilling.service()}; thread-safe.
 *
 * <p>Every write either completes its change in one database transaction together with its ledger
 * entry, or throws a {@link dev.tokenbilling.error.BillingException} and changes nothing.
 */
public interface TokenBillingService {

    /** Token packages: list, find, save, sync to Stripe. */
    CatalogService catalog();

    /** Balances, usage debits, grants, adjustments, lots and the ledger's history. */
    LedgerService ledger();

    /** Holds on tokens for requests in flight: reserve, settle, release. */
    ReservationService reservations();

    /** Buying packages: start, cancel, look up. */
    PurchaseService purchases();

    /** Subscription tiers: checkout, portal, the user's tier and allowance. */
    SubscriptionService subscriptions();

    /** Auto-recharge: saved cards, the user's rule, the worker that buys packs off-session. */
    RechargeService recharge();

    /** Operators' work: expiry, audit, stored webhook events, counts for health checks. */
    OperationsService operations();
}
