package dev.tokenbilling.stripe;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How webhook deliveries are verified: the signing secrets (several during a rotation), the
 * tolerance for the signed timestamp (replay protection) and the largest body accepted. Configured
 * apart from {@link StripeApi}: a host may verify webhooks without calling Stripe, or the reverse.
 * {@link #toString()} masks the secrets.
 */
public final class WebhookVerification {

    public static final Duration DEFAULT_TOLERANCE = Duration.ofSeconds(300);
    /** The shortest tolerance accepted: less would refuse honest deliveries and zero would switch the replay check off. */
    public static final Duration MIN_TOLERANCE = Duration.ofSeconds(1);

    public static final int DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024;

    private final List<String> secrets;
    private final Duration tolerance;
    private final int maxPayloadBytes;

    private WebhookVerification(Builder builder) {
        this.secrets = List.copyOf(builder.secrets);
        this.tolerance = builder.tolerance;
        this.maxPayloadBytes = builder.maxPayloadBytes;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** No secret: every delivery is answered 503 until one is configured (so Stripe keeps it). */
    public static WebhookVerification none() {
        return builder().build();
    }

    /** From {@code STRIPE_WEBHOOK_SECRET} (comma-separated during a rotation). */
    public static Builder fromEnvironment() {
        return fromEnvironment(System.getenv());
    }

    /** Like {@link #fromEnvironment()} but from the given variables. */
    public static Builder fromEnvironment(Map<String, String> environment) {
        Builder builder = builder();
        Optional.ofNullable(environment.get("STRIPE_WEBHOOK_SECRET"))
                .filter(s -> !s.isBlank())
                .ifPresent(secret -> builder.secrets(
                        Arrays.stream(secret.split(",")).map(String::trim).toList()));
        return builder;
    }

    /** Secrets accepted for webhook signatures: several during a rotation. */
    public List<String> secrets() {
        return secrets;
    }

    public Duration tolerance() {
        return tolerance;
    }

    public int maxPayloadBytes() {
        return maxPayloadBytes;
    }

    @Override
    public String toString() {
        return "WebhookVerification[secrets="
                + secrets.stream().map(StripeKeys::mask).toList() + ", tolerance=" + tolerance + ", maxPayloadBytes="
                + maxPayloadBytes + "]";
    }

    /** Builds {@link WebhookVerification}. */
    public static final class Builder {
        private List<String> secrets = new ArrayList<>();
        private Duration tolerance = DEFAULT_TOLERANCE;
        private int maxPayloadBytes = DEFAULT_MAX_PAYLOAD_BYTES;

        private Builder() {}

        public Builder secrets(List<String> secrets) {
            this.secrets = new ArrayList<>(Objects.requireNonNull(secrets, "secrets"));
            return this;
        }

        public Builder secret(String secret) {
            return secrets(List.of(secret));
        }

        public Builder tolerance(Duration tolerance) {
            this.tolerance = Objects.requireNonNull(tolerance);
            return this;
        }

        public Builder maxPayloadBytes(int bytes) {
            this.maxPayloadBytes = bytes;
            return this;
        }

        /** @throws dev.tokenbilling.error.BillingException {@code INVALID_CONFIGURATION} for a blank secret, a tolerance under a second or a limit under one byte */
        public WebhookVerification build() {
            for (String secret : secrets) {
                if (secret == null || secret.isBlank()) {
                    throw StripeKeys.invalid("webhooks.secrets", "must not contain a blank secret");
                }
            }
            if (tolerance.compareTo(MIN_TOLERANCE) < 0) {
                throw StripeKeys.invalid(
                        "webhooks.tolerance",
                        "must be at least " + MIN_TOLERANCE.toSeconds()
                                + " second (zero would switch the replay check off), was " + tolerance);
            }
            if (maxPayloadBytes < 1) {
                throw StripeKeys.invalid("webhooks.maxPayloadBytes", "must be positive, was " + maxPayloadBytes);
            }
            return new WebhookVerification(this);
        }
    }
}
