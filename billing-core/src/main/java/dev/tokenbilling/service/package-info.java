/**
 * The library's API by domain: {@link dev.tokenbilling.service.TokenBillingService} hands out the
 * catalog, ledger, reservation, purchase and operations services. Requests and results are records
 * in {@link dev.tokenbilling.model}; errors carry a {@link dev.tokenbilling.error.BillingError} code.
 */
package dev.tokenbilling.service;
