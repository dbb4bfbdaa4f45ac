package dev.tokenbilling.boot.autoconfigure;

import dev.tokenbilling.TokenBilling;
import dev.tokenbilling.stripe.StripeSettings;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A host's hook into what the starter builds from {@code billing.*} properties, for settings that
 * properties cannot express: a {@link java.time.Clock}, a custom {@link dev.tokenbilling.store.BillingStore},
 * a payment gateway, Stripe options. Declare one or more as beans; they run in {@code @Order}.
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
    default void customize(TokenBilling.Builder builder) {
    }

    /** Adjusts the Stripe settings after the {@code billing.stripe.*} properties were applied. */
    default void customizeStripe(StripeSettings.Builder stripe) {
    }

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

    /** A customizer of the Stripe settings only: {@code BillingCustomizer.stripe(s -> s.apiBase(uri))}. */
    static BillingCustomizer stripe(Consumer<StripeSettings.Builder> customizer) {
        Objects.requireNonNull(customizer, "customizer");
        return new BillingCustomizer() {
            @Override
            public void customizeStripe(StripeSettings.Builder stripe) {
                customizer.accept(stripe);
            }
        };
    }
}
