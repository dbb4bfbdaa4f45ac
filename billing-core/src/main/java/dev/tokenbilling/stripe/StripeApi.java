package dev.tokenbilling.stripe;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How to call Stripe's API: the secret key, the publishable key the paying page uses, an optional
 * API base (FakeStripe in tests), timeouts and retries. Immutable and validated when built;
 * {@link #toString()} masks every secret. Webhook checks are configured apart, in
 * {@link WebhookVerification}.
 */
public final class StripeApi {

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(30);
    public static final int DEFAULT_MAX_NETWORK_RETRIES = 2;

    private final String secretKey;
    private final Optional<String> publishableKey;
    private final Optional<URI> apiBase;
    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final int maxNetworkRetries;

    private StripeApi(Builder builder) {
        this.secretKey = builder.secretKey;
        this.publishableKey = Optional.ofNullable(builder.publishableKey).filter(key -> !key.isBlank());
        this.apiBase = Optional.ofNullable(builder.apiBase);
        this.connectTimeout = builder.connectTimeout;
        this.readTimeout = builder.readTimeout;
        this.maxNetworkRetries = builder.maxNetworkRetries;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * From {@code STRIPE_SECRET_KEY}, {@code STRIPE_PUBLIC_KEY} (or {@code VITE_STRIPE_PUBLISHABLE_KEY}) and, to
     * point at a local test double such as FakeStripe, {@code STRIPE_API_BASE}.
     */
    public static Builder fromEnvironment() {
        return fromEnvironment(System.getenv());
    }

    /** Like {@link #fromEnvironment()} but from the given variables (tests, CLIs with injected environments). */
    public static Builder fromEnvironment(Map<String, String> environment) {
        Builder builder = builder();
        Optional.ofNullable(environment.get("STRIPE_SECRET_KEY"))
                .filter(s -> !s.isBlank())
                .ifPresent(builder::secretKey);
        Optional.ofNullable(environment.get("STRIPE_PUBLIC_KEY"))
                .or(() -> Optional.ofNullable(environment.get("VITE_STRIPE_PUBLISHABLE_KEY")))
                .filter(s -> !s.isBlank())
                .ifPresent(builder::publishableKey);
        Optional.ofNullable(environment.get("STRIPE_API_BASE"))
                .filter(s -> !s.isBlank())
                .map(URI::create)
                .ifPresent(builder::apiBase);
        return builder;
    }

    public String secretKey() {
        return secretKey;
    }

    /** The publishable key ({@code pk_test_...}) the paying page uses with Stripe.js; not a secret. */
    public Optional<String> publishableKey() {
        return publishableKey;
    }

    public Optional<URI> apiBase() {
        return apiBase;
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    public Duration readTimeout() {
        return readTimeout;
    }

    public int maxNetworkRetries() {
        return maxNetworkRetries;
    }

    /** True for a live-mode key. */
    public boolean liveMode() {
        return StripeKeys.isLive(secretKey);
    }

    @Override
    public String toString() {
        return "StripeApi[secretKey=" + StripeKeys.mask(secretKey) + ", publishableKey="
                + publishableKey.orElse("(none)")
                + ", apiBase=" + apiBase.map(URI::toString).orElse("(Stripe)") + ", connectTimeout=" + connectTimeout
                + ", readTimeout=" + readTimeout + ", maxNetworkRetries=" + maxNetworkRetries + "]";
    }

    /** Builds {@link StripeApi}. */
    public static final class Builder {
        private String secretKey;
        private String publishableKey;
        private URI apiBase;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration readTimeout = DEFAULT_READ_TIMEOUT;
        private int maxNetworkRetries = DEFAULT_MAX_NETWORK_RETRIES;

        private Builder() {}

        public Builder secretKey(String secretKey) {
            this.secretKey = secretKey;
            return this;
        }

        public Builder publishableKey(String publishableKey) {
            this.publishableKey = publishableKey;
            return this;
        }

        /** Where stripe-java sends requests instead of api.stripe.com, e.g. a FakeStripe's {@code apiBase()}. */
        public Builder apiBase(URI apiBase) {
            this.apiBase = apiBase;
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = Objects.requireNonNull(timeout);
            return this;
        }

        public Builder readTimeout(Duration timeout) {
            this.readTimeout = Objects.requireNonNull(timeout);
            return this;
        }

        public Builder maxNetworkRetries(int retries) {
            this.maxNetworkRetries = retries;
            return this;
        }

        /**
         * @throws dev.tokenbilling.error.BillingException {@code INVALID_CONFIGURATION} for a missing or
         *         malformed key, keys of different modes, a live key sent over plain http, or negative limits
         */
        public StripeApi build() {
            StripeKeys.requireSecretKey("stripe.secretKey", secretKey);
            if (publishableKey != null && !publishableKey.isBlank()) {
                StripeKeys.requirePublishableKey("stripe.publishableKey", publishableKey, secretKey);
            }
            if (apiBase != null && StripeKeys.isLive(secretKey) && !"https".equalsIgnoreCase(apiBase.getScheme())) {
                // A live key must never travel in the clear (or to a local test double).
                throw StripeKeys.invalid("stripe.apiBase", "must be https for a live key, was " + apiBase.getScheme());
            }
            if (maxNetworkRetries < 0 || connectTimeout.isNegative() || readTimeout.isNegative()) {
                throw StripeKeys.invalid("stripe", "retries and timeouts must not be negative");
            }
            return new StripeApi(this);
        }
    }
}
