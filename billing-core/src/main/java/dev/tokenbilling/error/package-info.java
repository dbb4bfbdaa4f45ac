/**
 * Errors: every exception is a {@link dev.tokenbilling.error.BillingException} with a stable
 * {@link dev.tokenbilling.error.BillingError} code; front ends map errors by code, in one switch.
 */
package dev.tokenbilling.error;
