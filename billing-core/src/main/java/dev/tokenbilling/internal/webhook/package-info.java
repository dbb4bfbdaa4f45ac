/** Routing of stored Stripe events to the purchase transitions. Internal: may change at any time. */
package dev.tokenbilling.internal.webhook;
