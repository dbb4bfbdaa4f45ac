/**
 * The storage SPI: {@link dev.tokenbilling.store.BillingStore} and its repositories. Each method's
 * guarantees (locking, idempotency, what a repeat returns) are written in its Javadoc and checked by
 * {@code AbstractBillingStoreContractTest} in billing-testkit, which every implementation must pass.
 * The rules of billing live in core, never in this SPI.
 */
package dev.tokenbilling.store;
