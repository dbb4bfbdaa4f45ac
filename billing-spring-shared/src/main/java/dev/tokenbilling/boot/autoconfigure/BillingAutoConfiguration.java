package dev.tokenbilling.boot.autoconfigure;

import dev.tokenbilling.TokenBilling;
import dev.tokenbilling.boot.metrics.BillingMetrics;
import dev.tokenbilling.boot.reconcile.ReconcilerScheduler;
import dev.tokenbilling.error.BillingError;
import dev.tokenbilling.error.BillingException;
import dev.tokenbilling.hook.BillingEventListener;
import dev.tokenbilling.hook.BillingListener;
import dev.tokenbilling.hook.BillingObserver;
import dev.tokenbilling.hook.EventHandler;
import dev.tokenbilling.hook.StripeCustomerResolver;
import dev.tokenbilling.payment.PaymentGateway;
import dev.tokenbilling.service.TokenBillingService;
import dev.tokenbilling.stripe.StripeApi;
import dev.tokenbilling.stripe.StripeKeys;
import dev.tokenbilling.stripe.WebhookVerification;
import java.util.Map;
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
 * Stripe when {@code billing.stripe.secret-key} (or {@code STRIPE_SECRET_KEY}) is set (a
 * {@link StripeApi} for its API and a {@link WebhookVerification} for the webhook signatures),
 * registers the application's {@link BillingListener} and {@link BillingEventListener} beans, and
 * schedules the reconciler, expiry, billing-event delivery and auto-recharge. Every bean backs off when the application declares its own.
 *
 * <p>The web layer, health indicator and metrics are in {@link BillingWebAutoConfiguration},
 * {@link BillingHealthAutoConfiguration} and {@link BillingMetricsAutoConfiguration}.
 */
// Both Boot generations' names (Boot 4 moved the class): the starters share this class, and a name
// that is not on the classpath is ignored.
@AutoConfiguration(
        afterName = {
            "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
            "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration"
        })
@ConditionalOnBooleanProperty(name = "billing.enabled", matchIfMissing = true)
@Conditional(BillingAutoConfiguration.DataSourceOrTokenBillingCondition.class)
@EnableConfigurationProperties(BillingProperties.class)
public class BillingAutoConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(BillingAutoConfiguration.class);

    /**
     * Where a setting that billing-core names in an {@code INVALID_CONFIGURATION} message comes from
     * here, so that the failure names the property to change.
     */
    private static final Map<String, String> PROPERTY_OF_SETTING = Map.ofEntries(
            Map.entry("schema", "billing.schema"),
            Map.entry("abandonPurchasesAfter", "billing.abandon-purchases-after"),
            Map.entry("maxEventAttempts", "billing.max-event-attempts"),
            Map.entry("maxOpenPurchasesPerUser", "billing.max-open-purchases-per-user"),
            Map.entry("stripe.secretKey", "billing.stripe.secret-key"),
            Map.entry("stripe.publishableKey", "billing.stripe.publishable-key"),
            Map.entry("stripe.apiBase", "billing.stripe.api-base"),
            Map.entry("stripe", "billing.stripe.connect-timeout, read-timeout or max-network-retries"),
            Map.entry("webhooks.secrets", "billing.stripe.webhook-secret"),
            Map.entry("webhooks.tolerance", "billing.stripe.webhook-tolerance"),
            Map.entry("webhooks.maxPayloadBytes", "billing.stripe.max-webhook-payload-size"));

    /**
     * How to call Stripe's API, from {@code billing.stripe.*}, checked before anything talks to
     * Stripe: a live key with {@code billing.stripe.test-mode-only=true}, keys of different modes, or
     * a key where another kind belongs stop startup.
     */
    @Bean
    @ConditionalOnMissingBean
    @Conditional(OnStripeConfiguredCondition.class)
    public StripeApi billingStripeApi(BillingProperties properties, ObjectProvider<BillingCustomizer> customizers) {
        BillingProperties.Stripe stripe = properties.getStripe();
        StripeKeyChecks.checkApiKeys(stripe);
        StripeApi.Builder builder = StripeApi.builder()
                .secretKey(stripe.getSecretKey().trim())
                .publishableKey(
                        BillingProperties.hasText(stripe.getPublishableKey())
                                ? stripe.getPublishableKey().trim()
                                : null)
                .apiBase(stripe.getApiBase())
                .connectTimeout(stripe.getConnectTimeout())
                .readTimeout(stripe.getReadTimeout())
                .maxNetworkRetries(stripe.getMaxNetworkRetries());
        customizers.orderedStream().forEach(customizer -> customizer.customizeStripe(builder));
        try {
            return builder.build();
        } catch (BillingException e) {
            throw configurationFailure(
                    e,
                    "invalid Stripe settings: ",
                    "Check the billing.stripe.* properties (or STRIPE_SECRET_KEY / STRIPE_PUBLIC_KEY).");
        }
    }

    /**
     * How webhook deliveries are verified, from {@code billing.stripe.webhook-secret(s)},
     * {@code webhook-tolerance} and {@code max-webhook-payload-size}; made when Stripe is configured.
     * A secret that is no {@code whsec_} signing secret stops startup.
     */
    @Bean
    @ConditionalOnMissingBean
    @Conditional(OnStripeConfiguredCondition.class)
    public WebhookVerification billingWebhookVerification(
            BillingProperties properties, ObjectProvider<BillingCustomizer> customizers) {
        BillingProperties.Stripe stripe = properties.getStripe();
        StripeKeyChecks.checkWebhookSecrets(stripe);
        long maxPayload = stripe.getMaxWebhookPayloadSize().toBytes();
        if (maxPayload < 1 || maxPayload > Integer.MAX_VALUE) {
            throw new BillingConfigurationException(
                    "billing.stripe.max-webhook-payload-size must be between 1B and 2GB, was "
                            + stripe.getMaxWebhookPayloadSize(),
                    "Set billing.stripe.max-webhook-payload-size to e.g. 1MB (the default).");
        }
        WebhookVerification.Builder builder = WebhookVerification.builder()
                .secrets(stripe.allWebhookSecrets())
                .tolerance(stripe.getWebhookTolerance())
                .maxPayloadBytes((int) maxPayload);
        customizers.orderedStream().forEach(customizer -> customizer.customizeWebhooks(builder));
        try {
            return builder.build();
        } catch (BillingException e) {
            throw configurationFailure(
                    e,
                    "invalid webhook settings: ",
                    "Check billing.stripe.webhook-secret (or STRIPE_WEBHOOK_SECRET), billing.stripe.webhook-tolerance (at least 1s) "
                            + "and billing.stripe.max-webhook-payload-size.");
        }
    }

    /**
     * The library, built on the application's data source; applies the migrations to
     * {@code billing.schema} first unless {@code billing.migrate=false}. Every {@link BillingListener}
     * bean, the {@link BillingMetrics} among them, is registered as a listener, in {@code @Order};
     * every {@link BillingEventListener} bean hears the billing events of the outbox.
     */
    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnSingleCandidate(DataSource.class)
    public TokenBilling tokenBilling(
            DataSource dataSource,
            BillingProperties properties,
            ObjectProvider<StripeApi> stripe,
            ObjectProvider<WebhookVerification> webhooks,
            ObjectProvider<EventHandler> eventHandlers,
            ObjectProvider<StripeCustomerResolver> customerResolver,
            ObjectProvider<PaymentGateway> paymentGateway,
            ObjectProvider<BillingListener> listeners,
            ObjectProvider<BillingEventListener> eventListeners,
            ObjectProvider<BillingObserver> observer,
            ObjectProvider<BillingCustomizer> customizers) {
        TokenBilling.Builder builder = TokenBilling.builder()
                .dataSource(dataSource)
                .schema(properties.getSchema())
                .migrate(properties.isMigrate())
                .topology(properties.getDatabase().getTopology())
                .refundPolicy(properties.getRefundPolicy())
                .abandonPurchasesAfter(properties.getAbandonPurchasesAfter())
                .maxEventAttempts(properties.getMaxEventAttempts())
                .maxOpenPurchasesPerUser(properties.getMaxOpenPurchasesPerUser());
        stripe.ifAvailable(builder::stripe);
        webhooks.ifAvailable(builder::webhooks);
        eventHandlers.orderedStream().forEach(builder::eventHandler);
        listeners.orderedStream().forEach(builder::listener);
        eventListeners.orderedStream().forEach(builder::eventListener);
        observer.ifAvailable(builder::observer);
        customerResolver.ifAvailable(builder::customerResolver);
        paymentGateway.ifAvailable(builder::paymentGateway);
        customizers.orderedStream().forEach(customizer -> customizer.customize(builder));
        TokenBilling billing;
        try {
            billing = builder.build();
        } catch (BillingException e) {
            throw switch (e.code()) {
                case INVALID_CONFIGURATION, INVALID_REQUEST ->
                    configurationFailure(e, "", "Check billing.schema and the other billing.* properties.");
                case STORE_UNAVAILABLE ->
                    new BillingConfigurationException(
                            "the database is unreachable: " + e.getMessage(),
                            "Check the application's DataSource (spring.datasource.*); Token Billing keeps its tables in schema '"
                                    + properties.getSchema() + "'.");
                case SCHEMA_NOT_MIGRATED ->
                    new BillingConfigurationException(
                            e.getMessage(),
                            "Set billing.migrate=true (the default) to apply the library's migrations to schema '"
                                    + properties.getSchema()
                                    + "' on startup, or apply them where the schema is managed.");
                default -> e;
            };
        }
        StripeApi api = stripe.getIfAvailable();
        LOG.info(
                "Token Billing ready: schema '{}'{}, payments {}",
                properties.getSchema(),
                properties.isMigrate() ? " (migrated)" : "",
                api != null
                        ? "with Stripe in " + (api.liveMode() ? "LIVE mode " : "test mode ")
                                + StripeKeys.mask(api.secretKey())
                        : billing.paymentsConfigured()
                                ? "with the application's payment gateway"
                                : "not configured (purchases off)");
        return billing;
    }

    /** A core {@code INVALID_CONFIGURATION} as a startup failure naming the property; any other error as it is. */
    private static RuntimeException configurationFailure(BillingException e, String prefix, String action) {
        if (e.code() != BillingError.INVALID_CONFIGURATION && e.code() != BillingError.INVALID_REQUEST) {
            return e;
        }
        return new BillingConfigurationException(prefix + inPropertyNames(e.getMessage()), action);
    }

    /** {@code "maxEventAttempts: must be at least 1"} as {@code "billing.max-event-attempts: must be at least 1"}. */
    static String inPropertyNames(String message) {
        int colon = message == null ? -1 : message.indexOf(": ");
        String property = colon > 0 ? PROPERTY_OF_SETTING.get(message.substring(0, colon)) : null;
        return property == null ? message : property + message.substring(colon);
    }

    /**
     * The facade hosts inject to debit usage ({@code ledger().debit}), hold tokens for streamed
     * requests ({@code reservations()}), grant tokens and read balances.
     */
    @Bean
    @ConditionalOnMissingBean
    public TokenBillingService tokenBillingService(TokenBilling billing) {
        return billing.service();
    }

    /**
     * The background jobs: the reconciler (repairs stuck purchases, retries failed webhook events and,
     * with {@code billing.reconciler.fetch-missed-events}, fetches missed ones; when Stripe is
     * configured), expiry (releases lapsed holds, expires lapsed lots; with or without Stripe),
     * billing-event delivery (with or without Stripe) and auto-recharge (when Stripe is configured).
     */
    @Bean
    @ConditionalOnMissingBean
    @Conditional(ReconcilerOrExpiryCondition.class)
    public ReconcilerScheduler billingReconcilerScheduler(
            TokenBilling billing, BillingProperties properties, ObjectProvider<BillingMetrics> metrics) {
        return new ReconcilerScheduler(billing, properties, () -> metrics.getIfAvailable(() -> BillingMetrics.NONE));
    }

    /**
     * On when {@code billing.reconciler.enabled}, {@code billing.expiry.enabled},
     * {@code billing.events.enabled} or {@code billing.recharge.enabled} (all default true).
     */
    static final class ReconcilerOrExpiryCondition extends AnyNestedCondition {

        ReconcilerOrExpiryCondition() {
            super(ConfigurationPhase.REGISTER_BEAN);
        }

        @ConditionalOnBooleanProperty(name = "billing.reconciler.enabled", matchIfMissing = true)
        static final class OnReconciler {}

        @ConditionalOnBooleanProperty(name = "billing.expiry.enabled", matchIfMissing = true)
        static final class OnExpiry {}

        @ConditionalOnBooleanProperty(name = "billing.events.enabled", matchIfMissing = true)
        static final class OnEvents {}

        @ConditionalOnBooleanProperty(name = "billing.recharge.enabled", matchIfMissing = true)
        static final class OnRecharge {}
    }

    /** On when the application has one data source to build on, or builds {@link TokenBilling} itself. */
    static final class DataSourceOrTokenBillingCondition extends AnyNestedCondition {

        DataSourceOrTokenBillingCondition() {
            super(ConfigurationPhase.REGISTER_BEAN);
        }

        @ConditionalOnSingleCandidate(DataSource.class)
        static final class OnDataSource {}

        @ConditionalOnBean(TokenBilling.class)
        static final class OnTokenBilling {}
    }
}
