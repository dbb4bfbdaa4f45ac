/**
 * Service-provider interfaces: the store that keeps packages, purchases, balances and the ledger,
 * and (with the Stripe issue) the payment gateway. The library ships a PostgreSQL store; another
 * implementation must pass the contract test published in {@code billing-testkit}
 * ({@code AbstractBillingStoreContractTest}).
 */
package dev.tokenbilling.spi;
