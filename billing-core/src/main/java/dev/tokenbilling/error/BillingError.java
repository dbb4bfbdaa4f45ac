package dev.tokenbilling.error;

/**
 * The stable code of every {@link BillingException}: front ends map errors by code (an HTTP status
 * and problem {@code code}, a CLI exit code) in one switch, never by class or message text. Codes are
 * only ever added; {@link #wireName()} is what REST bodies and JSON output carry.
 */
public enum BillingError {
    /** A caller passed a value the library refuses (names the field); nothing changed. */
    INVALID_REQUEST(false),
    /** No package has the slug. */
    UNKNOWN_PACKAGE(false),
    /** The package is no longer on sale. */
    PACKAGE_INACTIVE(false),
    /** The package has no Stripe price yet: run the catalog sync. */
    PACKAGE_NOT_SYNCED(false),
    /** The user has no purchase with that id. */
    UNKNOWN_PURCHASE(false),
    /** The user has too many purchases still open; finish or cancel one first. */
    TOO_MANY_OPEN_PURCHASES(true),
    /** The user has no reservation (hold) with that id. */
    UNKNOWN_RESERVATION(false),
    /** The reservation was already settled, released or expired. */
    RESERVATION_NOT_ACTIVE(false),
    /** The user's available balance is smaller than the tokens asked for. */
    INSUFFICIENT_TOKENS(false),
    /** The idempotency key was used before for a different request. */
    IDEMPOTENCY_CONFLICT(false),
    /** Payments need Stripe settings (a secret key) that were not given. */
    PAYMENTS_NOT_CONFIGURED(false),
    /** Stripe (or another payment provider) failed; {@link BillingException#retryable()} tells whether later may work. */
    PAYMENT_PROVIDER(true),
    /** The database could not be reached or refused the work for a transient reason; nothing was committed. */
    STORE_UNAVAILABLE(true),
    /** The database has no billing schema, or an older one: apply the library's migrations. */
    SCHEMA_NOT_MIGRATED(false),
    /** The library was configured in a way it refuses (names the setting). */
    INVALID_CONFIGURATION(false),
    /** No subscription tier has the slug. */
    UNKNOWN_TIER(false),
    /** The tier cannot be subscribed to that way: inactive, free, not sold per that interval, or not synced to Stripe. */
    TIER_NOT_AVAILABLE(false),
    /** The user already has a subscription that entitles them to a tier: change it in the Customer Portal. */
    ALREADY_SUBSCRIBED(false),
    /** The user has no subscription (or Stripe customer) to act on. */
    NO_SUBSCRIPTION(false),
    /** The user's monthly usage limit refused the debit or the hold; the message says when it resets. */
    SPEND_LIMIT_REACHED(false);

    private final boolean retryableByDefault;

    BillingError(boolean retryableByDefault) {
        this.retryableByDefault = retryableByDefault;
    }

    /** Whether the same call may succeed later without any change, unless the exception says otherwise. */
    public boolean retryableByDefault() {
        return retryableByDefault;
    }

    /** The code in lower case ({@code insufficient_tokens}), as REST bodies and JSON output carry it. */
    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
