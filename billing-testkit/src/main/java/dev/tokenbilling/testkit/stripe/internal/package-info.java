/**
 * Implementation of FakeStripe. Internal: nothing in this package is part of the testkit's API and any
 * of it may change or disappear in any release. Use {@link dev.tokenbilling.testkit.stripe.FakeStripe}.
 */
package dev.tokenbilling.testkit.stripe.internal;
