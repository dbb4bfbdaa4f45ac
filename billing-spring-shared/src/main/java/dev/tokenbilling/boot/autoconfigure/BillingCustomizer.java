package dev.tokenbilling.boot.autoconfigure;

import dev.tokenbilling.TokenBilling;
import dev.tokenbilling.stripe.StripeApi;
import dev.tokenbilling.stripe.WebhookVerification;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A host's hook into what the starter builds from {@code billing.*} properties, for settings that
 * properties cannot express: a {@link java.time.Clock}, a custom {@link dev.tokenbilling.store.BillingStore},
 * a payment gateway, Stripe API options, webhook verification options. Declare one or more as beans;
 * they run in {@code @Order}.
 *
 * <pre>{@code
 * @Bean
 * BillingCustomizer billingClock(Clock clock) {
 *     return BillingCustomizer.of(builder -> builder.clock(clock));
 * }
 * }</pre>
 *
 * <p>Host beans of type {@link dev.tokenbilling.hook.EventHandler},
 * {@link dev.tokenbilling.hook.StripeCustomerResolver} and {@link dev.tokenbilling.payment.PaymentGateway}
 * are picked up without a customizer.
 */
public interface BillingCustomizer {

    /** Adjusts the builder after the properties were applied and before {@link TokenBilling.Builder#build()}. */
    default void customize(TokenBilling.Builder builder) {}

    /** Adjusts how Stripe's API is called after the {@code billing.stripe.*} properties were applied. */
    default void customizeStripe(StripeApi.Builder stripe) {}

    /** Adjusts how webhook deliveries are verified after the {@code billing.stripe.webhook-*} properties were applied. */
    default void customizeWebhooks(WebhookVerification.Builder webhooks) {}

    /** A customizer of the {@link TokenBilling.Builder} only: {@code BillingCustomizer.of(builder -> builder.clock(clock))}. */
    static BillingCustomizer of(Consumer<TokenBilling.Builder> customizer) {
        Objects.requireNonNull(customizer, "customizer");
        return new BillingCustomizer() {
            @Override
            public void customize(TokenBilling.Builder builder) {
                customizer.accept(builder);
            }
        };
    }

    /** A customizer of the Stripe API settings only: {@code BillingCustomizer.stripe(s -> s.apiBase(uri))}. */
    static BillingCustomizer stripe(Consumer<StripeApi.Builder> customizer) {
        Objects.requireNonNull(customizer, "customizer");
        return new BillingCustomizer() {
            @Override
            public void customizeStripe(StripeApi.Builder stripe) {
                customizer.accept(stripe);
            }
        };
    }

    /** A customizer of the webhook verification only: {@code BillingCustomizer.webhooks(w -> w.tolerance(Duration.ofMinutes(1)))}. */
    static BillingCustomizer webhooks(Consumer<WebhookVerification.Builder> customizer) {
        Objects.requireNonNull(customizer, "customizer");
        return new BillingCustomizer() {
            @Override
            public void customizeWebhooks(WebhookVerification.Builder webhooks) {
                customizer.accept(webhooks);
            }
        };
    }
}
