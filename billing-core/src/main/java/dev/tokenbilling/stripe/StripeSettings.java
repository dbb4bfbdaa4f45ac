package dev.tokenbilling.stripe;

import dev.tokenbilling.InvalidRequestException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How to reach Stripe: keys, optional API base (FakeStripe in tests), timeouts and webhook checks.
 * Immutable; {@link #toString()} masks every secret.
 */
public final class StripeSettings {

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(30);
    public static final int DEFAULT_MAX_NETWORK_RETRIES = 2;
    public static final Duration DEFAULT_WEBHOOK_TOLERANCE = Duration.ofSeconds(300);
    public static final int DEFAULT_MAX_WEBHOOK_PAYLOAD_BYTES = 1024 * 1024;

    private final String secretKey;
    private final Optional<String> publishableKey;
    private final List<String> webhookSecrets;
    private final Optional<URI> apiBase;
    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final int maxNetworkRetries;
    private final Duration webhookTolerance;
    private final int maxWebhookPayloadBytes;

    private StripeSettings(Builder builder) {
        this.secretKey = builder.secretKey;
        this.publishableKey = Optional.ofNullable(builder.publishableKey).filter(key -> !key.isBlank());
        this.webhookSecrets = List.copyOf(builder.webhookSecrets);
        this.apiBase = Optional.ofNullable(builder.apiBase);
        this.connectTimeout = builder.connectTimeout;
        this.readTimeout = builder.readTimeout;
        this.maxNetworkRetries = builder.maxNetworkRetries;
        this.webhookTolerance = builder.webhookTolerance;
        this.maxWebhookPayloadBytes = builder.maxWebhookPayloadBytes;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Settings from the seed's environment names: {@code STRIPE_SECRET_KEY}, {@code STRIPE_WEBHOOK_SECRET}
     * (comma-separated during a rotation), {@code STRIPE_PUBLIC_KEY} or {@code VITE_STRIPE_PUBLISHABLE_KEY}.
     */
    public static Builder fromEnvironment() {
        return fromEnvironment(System.getenv());
    }

    /** Like {@link #fromEnvironment()} but from the given variables (for tests and CLIs with injected environments). */
    public static Builder fromEnvironment(java.util.Map<String, String> environment) {
        Builder builder = builder();
        Optional.ofNullable(environment.get("STRIPE_SECRET_KEY")).filter(s -> !s.isBlank()).ifPresent(builder::secretKey);
        Optional.ofNullable(environment.get("STRIPE_PUBLIC_KEY")).or(() -> Optional.ofNullable(environment.get("VITE_STRIPE_PUBLISHABLE_KEY")))
                .filter(s -> !s.isBlank()).ifPresent(builder::publishableKey);
        Optional.ofNullable(environment.get("STRIPE_WEBHOOK_SECRET")).filter(s -> !s.isBlank())
                .ifPresent(secret -> builder.webhookSecrets(java.util.Arrays.stream(secret.split(",")).map(String::trim).toList()));
        return builder;
    }

    public String secretKey() {
        return secretKey;
    }

    /** The publishable key ({@code pk_test_...}) the paying page uses with Stripe.js; not a secret. */
    public Optional<String> publishableKey() {
        return publishableKey;
    }

    /** Secrets accepted for webhook signatures: several during a rotation. */
    public List<String> webhookSecrets() {
        return webhookSecrets;
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

    public Duration webhookTolerance() {
        return webhookTolerance;
    }

    public int maxWebhookPayloadBytes() {
        return maxWebhookPayloadBytes;
    }

    /** True for a live-mode key ({@code sk_live_} or {@code rk_live_}). */
    public boolean liveMode() {
        return liveKey(secretKey);
    }

    private static boolean liveKey(String key) {
        return key.startsWith("sk_live_") || key.startsWith("rk_live_");
    }

    /** Shows a key's kind and last four characters only: {@code sk_test_…abcd}. */
    public static String mask(String secret) {
        if (secret == null || secret.isEmpty()) {
            return "(none)";
        }
        int prefixEnd = secret.startsWith("whsec_") ? 6 : secret.indexOf('_', secret.indexOf('_') + 1) + 1;
        String prefix = prefixEnd > 0 && prefixEnd < secret.length() ? secret.substring(0, prefixEnd) : "";
        String last = secret.length() > prefix.length() + 8 ? secret.substring(secret.length() - 4) : "";
        return prefix + "…" + last;
    }

    @Override
    public String toString() {
        return "StripeSettings[secretKey=" + mask(secretKey) + ", publishableKey=" + publishableKey.orElse("(none)") + ", webhookSecrets=" + webhookSecrets.stream().map(StripeSettings::mask).toList()
                + ", apiBase=" + apiBase.map(URI::toString).orElse("(Stripe)") + ", connectTimeout=" + connectTimeout
                + ", readTimeout=" + readTimeout + ", maxNetworkRetries=" + maxNetworkRetries + "]";
    }

    /** Builds {@link StripeSettings}. */
    public static final class Builder {
        private String secretKey;
        private String publishableKey;
        private List<String> webhookSecrets = new ArrayList<>();
        private URI apiBase;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration readTimeout = DEFAULT_READ_TIMEOUT;
        private int maxNetworkRetries = DEFAULT_MAX_NETWORK_RETRIES;
        private Duration webhookTolerance = DEFAULT_WEBHOOK_TOLERANCE;
        private int maxWebhookPayloadBytes = DEFAULT_MAX_WEBHOOK_PAYLOAD_BYTES;

        private Builder() {
        }

        public Builder secretKey(String secretKey) {
            this.secretKey = secretKey;
            return this;
        }

        public Builder publishableKey(String publishableKey) {
            this.publishableKey = publishableKey;
            return this;
        }

        public Builder webhookSecrets(List<String> secrets) {
            this.webhookSecrets = new ArrayList<>(Objects.requireNonNull(secrets, "secrets"));
            return this;
        }

        public Builder webhookSecret(String secret) {
            return webhookSecrets(List.of(secret));
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

        public Builder webhookTolerance(Duration tolerance) {
            this.webhookTolerance = Objects.requireNonNull(tolerance);
            return this;
        }

        public Builder maxWebhookPayloadBytes(int bytes) {
            this.maxWebhookPayloadBytes = bytes;
            return this;
        }

        public StripeSettings build() {
            if (secretKey == null || secretKey.isBlank()) {
                throw new InvalidRequestException("stripe.secretKey", "is missing; set STRIPE_SECRET_KEY (sk_test_... for test mode)");
            }
            if (!(secretKey.startsWith("sk_") || secretKey.startsWith("rk_"))) {
                throw new InvalidRequestException("stripe.secretKey", "must be a secret key (sk_test_... or sk_live_...), was " + mask(secretKey));
            }
            if (publishableKey != null && !publishableKey.isBlank() && !publishableKey.startsWith("pk_")) {
                throw new InvalidRequestException("stripe.publishableKey", "must be a publishable key (pk_test_... or pk_live_...)");
            }
            if (publishableKey != null && publishableKey.startsWith("pk_") && publishableKey.startsWith("pk_live_") != liveKey(secretKey)) {
                throw new InvalidRequestException("stripe.publishableKey", "is for " + (publishableKey.startsWith("pk_live_") ? "live" : "test")
                        + " mode but the secret key " + mask(secretKey) + " is not");
            }
            for (String secret : webhookSecrets) {
                if (secret == null || secret.isBlank()) {
                    throw new InvalidRequestException("stripe.webhookSecrets", "must not contain a blank secret");
                }
            }
            if (maxNetworkRetries < 0 || maxWebhookPayloadBytes < 1 || webhookTolerance.isNegative()) {
                throw new InvalidRequestException("stripe", "retries, payload limit and tolerance must not be negative");
            }
            return new StripeSettings(this);
        }
    }
}
