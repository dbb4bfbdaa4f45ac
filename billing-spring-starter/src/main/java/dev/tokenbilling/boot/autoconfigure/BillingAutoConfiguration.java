package dev.tokenbilling.boot.autoconfigure;

import dev.tokenbilling.error.InvalidRequestException;
import dev.tokenbilling.error.StoreUnavailableException;
import dev.tokenbilling.TokenBilling;
import dev.tokenbilling.TokenBillingService;
import dev.tokenbilling.boot.metrics.BillingMetrics;
import dev.tokenbilling.boot.reconcile.ReconcilerScheduler;
import dev.tokenbilling.hook.BillingListener;
import dev.tokenbilling.hook.EventHandler;
import dev.tokenbilling.payment.PaymentGateway;
import dev.tokenbilling.hook.StripeCustomerResolver;
import dev.tokenbilling.stripe.StripeSettings;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.AnyNestedCondition;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;

/**
 * Builds {@link TokenBilling} on the application's {@link DataSource} from {@code billing.*}
 * properties, applies the library's migrations (unless {@code billing.migrate=false}), configures
 * Stripe when {@code billing.stripe.secret-key} (or {@code STRIPE_SECRET_KEY}) is set, registers the
 * application's {@link BillingListener} beans, and schedules the reconciler and expiry. Every bean
 * backs off when the application declares its own.
 *
 * <p>The web layer, health indicator and metrics are in {@link BillingWebAutoConfiguration},
 * {@link BillingHealthAutoConfiguration} and {@link BillingMetricsAutoConfiguration}.
 */
@AutoConfiguration(afterName = "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration")
@ConditionalOnBooleanProperty(name = "billing.enabled", matchIfMissing = true)
@Conditional(BillingAutoConfiguration.DataSourceOrTokenBillingCondition.class)
@EnableConfigurationProperties(BillingProperties.class)
public class BillingAutoConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(BillingAutoConfiguration.class);

    /**
     * Stripe settings from {@code billing.stripe.*}, checked before anything talks to Stripe: a live
     * key with {@code billing.stripe.test-mode-only=true}, or keys of different modes, stop startup.
     */
    @Bean
    @ConditionalOnMissingBean
    @Conditional(OnStripeConfiguredCondition.class)
    public StripeSettings billingStripeSettings(BillingProperties properties, ObjectProvider<BillingCustomizer> customizers) {
        BillingProperties.Stripe stripe = properties.getStripe();
        StripeKeyChecks.check(stripe);
        long maxPayload = stripe.getMaxWebhookPayloadSize().toBytes();
        if (maxPayload < 1 || maxPayload > Integer.MAX_VALUE) {
            throw new BillingConfigurationException("billing.stripe.max-webhook-payload-size must be between 1B and 2GB, was "
                    + stripe.getMaxWebhookPayloadSize(), "Set billing.stripe.max-webhook-payload-size to e.g. 1MB (the default).");
        }
        StripeSettings.Builder builder = StripeSettings.builder()
                .secretKey(stripe.getSecretKey().trim())
                .publishableKey(BillingProperties.hasText(stripe.getPublishableKey()) ? stripe.getPublishableKey().trim() : null)
                .webhookSecrets(stripe.allWebhookSecrets())
                .apiBase(stripe.getApiBase())
                .connectTimeout(stripe.getConnectTimeout())
                .readTimeout(stripe.getReadTimeout())
                .maxNetworkRetries(stripe.getMaxNetworkRetries())
                .webhookTolerance(stripe.getWebhookTolerance())
                .maxWebhookPayloadBytes((int) maxPayload);
        customizers.orderedStream().forEach(customizer -> customizer.customizeStripe(builder));
        try {
            return builder.build();
        } catch (InvalidRequestException e) {
            throw new BillingConfigurationException("invalid Stripe settings: " + e.getMessage(),
                    "Check the billing.stripe.* properties (or STRIPE_SECRET_KEY / STRIPE_WEBHOOK_SECRET / STRIPE_PUBLIC_KEY).");
        }
    }

    /**
     * The library, built on the application's data source; applies the migrations to
     * {@code billing.schema} first unless {@code billing.migrate=false}. Every {@link BillingListener}
     * bean, the {@link BillingMetrics} among them, is registered as a listener, in {@code @Order}.
     */
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnSingleCandidate(DataSource.class)
    public TokenBilling tokenBilling(DataSource dataSource, BillingProperties properties, ObjectProvider<StripeSettings> stripe,
            ObjectProvider<EventHandler> eventHandlers, ObjectProvider<StripeCustomerResolver> customerResolver,
            ObjectProvider<PaymentGateway> paymentGateway, ObjectProvider<BillingListener> listeners,
            ObjectProvider<BillingCustomizer> customizers) {
        TokenBilling.Builder builder = TokenBilling.builder()
                .dataSource(dataSource)
                .schema(properties.getSchema())
                .migrate(properties.isMigrate())
                .refundPolicy(properties.getRefundPolicy())
                .abandonPurchasesAfter(properties.getAbandonPurchasesAfter())
                .maxEventAttempts(properties.getMaxEventAttempts());
        stripe.ifAvailable(builder::stripe);
        eventHandlers.orderedStream().forEach(builder::eventHandler);
        listeners.orderedStream().forEach(builder::listener);
        customerResolver.ifAvailable(builder::customerResolver);
        paymentGateway.ifAvailable(builder::paymentGateway);
        customizers.orderedStream().forEach(customizer -> customizer.customize(builder));
        TokenBilling billing;
        try {
            billing = builder.build();
        } catch (InvalidRequestException e) {
            throw new BillingConfigurationException(e.getMessage(), "Check billing.schema and the other billing.* properties.");
        } catch (StoreUnavailableException e) {
            throw new BillingConfigurationException("the database is unreachable: " + e.getMessage(),
                    "Check the application's DataSource (spring.datasource.*); Token Billing keeps its tables in schema '"
                            + properties.getSchema() + "'.");
        }
        LOG.info("Token Billing ready: schema '{}'{}, Stripe {}", properties.getSchema(), properties.isMigrate() ? " (migrated)" : "",
                stripe.getIfAvailable() == null ? "not configured (purchases off)"
                        : (stripe.getObject().liveMode() ? "LIVE mode " : "test mode ") + StripeSettings.mask(stripe.getObject().secretKey()));
        return billing;
    }

    /** The facade hosts inject to debit usage ({@code consume}), grant tokens and read balances. */
    @Bean
    @ConditionalOnMissingBean
    public TokenBillingService tokenBillingService(TokenBilling billing) {
        return billing.service();
    }

    /**
     * The background jobs: the reconciler (repairs stuck purchases, retries failed webhook events and,
     * with {@code billing.reconciler.fetch-missed-events}, fetches missed ones; when Stripe is
     * configured) and expiry (releases lapsed holds, expires lapsed lots; with or without Stripe).
     */
    @Bean
    @ConditionalOnMissingBean
    @Conditional(ReconcilerOrExpiryCondition.class)
    public ReconcilerScheduler billingReconcilerScheduler(TokenBilling billing, BillingProperties properties,
            ObjectProvider<BillingMetrics> metrics) {
        return new ReconcilerScheduler(billing, properties, () -> metrics.getIfAvailable(() -> BillingMetrics.NONE));
    }

    /** On when {@code billing.reconciler.enabled} or {@code billing.expiry.enabled} (both default true). */
    static final class ReconcilerOrExpiryCondition extends AnyNestedCondition {

        ReconcilerOrExpiryCondition() {
            super(ConfigurationPhase.REGISTER_BEAN);
        }

        @ConditionalOnBooleanProperty(name = "billing.reconciler.enabled", matchIfMissing = true)
        static final class OnReconciler {
        }

        @ConditionalOnBooleanProperty(name = "billing.expiry.enabled", matchIfMissing = true)
        static final class OnExpiry {
        }
    }

    /** On when the application has one data source to build on, or builds {@link TokenBilling} itself. */
    static final class DataSourceOrTokenBillingCondition extends AnyNestedCondition {

        DataSourceOrTokenBillingCondition() {
            super(ConfigurationPhase.REGISTER_BEAN);
        }

        @ConditionalOnSingleCandidate(DataSource.class)
        static final class OnDataSource {
        }

        @ConditionalOnBean(TokenBilling.class)
        static final class OnTokenBilling {
        }
    }
}
