/** The stripe-java implementation of the payment gateway. Internal: may change at any time. */
package dev.tokenbilling.internal.stripe;
