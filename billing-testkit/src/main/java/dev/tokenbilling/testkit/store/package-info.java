/**
 * The contract every {@code dev.tokenbilling.store.BillingStore} implementation must pass:
 * subclass {@link dev.tokenbilling.testkit.store.AbstractBillingStoreContractTest} and supply a
 * fresh, empty store. Needs billing-core and AssertJ on the test classpath.
 */
package dev.tokenbilling.testkit.store;
