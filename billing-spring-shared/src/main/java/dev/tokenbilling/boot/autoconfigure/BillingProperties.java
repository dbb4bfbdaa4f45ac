package dev.tokenbilling.boot.autoconfigure;

import dev.tokenbilling.BillingSchema;
import dev.tokenbilling.DatabaseTopology;
import dev.tokenbilling.TokenBilling;
import dev.tokenbilling.model.RefundPolicy;
import dev.tokenbilling.stripe.StripeApi;
import dev.tokenbilling.stripe.WebhookVerification;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Settings of the Token Billing starter, under billing.*. Defaults are those of the core
 * library ({@link TokenBilling}, {@link StripeApi}, {@link WebhookVerification},
 * {@link dev.tokenbilling.reconcile.Reconciler}); the Stripe keys default
 * to the usual Stripe environment variables STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET and
 * STRIPE_PUBLIC_KEY (see {@link BillingEnvironmentPostProcessor}).
 */
@ConfigurationProperties(prefix = BillingProperties.PREFIX)
public class BillingProperties {

    /** The prefix of every property of the starter. */
    public static final String PREFIX = "billing";
    /** Where the REST API lives unless billing.web.base-path says otherwise. */
    public static final String DEFAULT_BASE_PATH = "/api/v1/billing";
    /** Where Stripe delivers webhooks unless billing.webhook.path says otherwise. */
    public static final String DEFAULT_WEBHOOK_PATH = "/api/v1/billing/webhooks/stripe/";

    public static final Duration DEFAULT_RECONCILER_INTERVAL = Duration.ofMinutes(5);
    public static final Duration DEFAULT_RECONCILER_INITIAL_DELAY = Duration.ofSeconds(30);
    public static final Duration DEFAULT_RECONCILER_OLDER_THAN = Duration.ofMinutes(15);
    public static final int DEFAULT_RECONCILER_BATCH_SIZE = 100;
    public static final int DEFAULT_TRANSACTIONS_PAGE_SIZE = 50;
    /** The billing page Stripe Checkout and the Customer Portal return to unless billing.web.return-path says otherwise. */
    public static final String DEFAULT_RETURN_PATH = "/billing.html";

    public static final DataSize DEFAULT_MAX_REQUEST_SIZE = DataSize.ofMegabytes(1);
    public static final Duration DEFAULT_MISSED_EVENTS_INTERVAL = Duration.ofHours(1);
    public static final Duration DEFAULT_MISSED_EVENTS_LOOKBACK = Duration.ofDays(3);
    public static final Duration DEFAULT_EXPIRY_INTERVAL = Duration.ofMinutes(1);
    public static final Duration DEFAULT_EXPIRY_INITIAL_DELAY = Duration.ofSeconds(30);
    public static final int DEFAULT_EXPIRY_BATCH_SIZE = 500;
    public static final Duration DEFAULT_EVENTS_DELIVERY_INTERVAL = Duration.ofSeconds(2);
    public static final int DEFAULT_EVENTS_BATCH_SIZE = 100;
    public static final Duration DEFAULT_RECHARGE_INTERVAL = Duration.ofSeconds(5);
    public static final int DEFAULT_RECHARGE_BATCH_SIZE = 50;

    /** Whether to auto-configure Token Billing at all. */
    private boolean enabled = true;

    /** PostgreSQL schema that holds the library's tables; created on first migration. */
    private String schema = BillingSchema.DEFAULT_SCHEMA;

    /**
     * Whether to apply the library's Flyway migrations to billing.schema on startup (with
     * their own history table, apart from the application's migrations). Turn off when the schema is
     * managed elsewhere, e.g. with the published consolidated DDL.
     */
    private boolean migrate = TokenBilling.DEFAULT_MIGRATE;

    /** What refunds and disputes do to tokens that were already spent. */
    private RefundPolicy refundPolicy = RefundPolicy.ALLOW_NEGATIVE_BALANCE;

    /** Open purchases older than this are canceled by the reconciler (their PaymentIntent too). */
    private Duration abandonPurchasesAfter = dev.tokenbilling.reconcile.Reconciler.DEFAULT_ABANDON_AFTER;

    /** How often a failed webhook event is retried automatically before it waits for an operator. */
    private int maxEventAttempts = dev.tokenbilling.reconcile.Reconciler.DEFAULT_MAX_EVENT_ATTEMPTS;

    /**
     * How many open purchases (not yet paid, failed or canceled) one user may have at once; starting
     * another is answered 429 (too_many_open_purchases) until one is finished or canceled. Keeps a
     * loop on "buy" from creating PaymentIntents without end.
     */
    private int maxOpenPurchasesPerUser = TokenBilling.DEFAULT_MAX_OPEN_PURCHASES_PER_USER;

    private final Database database = new Database();

    private final Stripe stripe = new Stripe();

    private final Web web = new Web();

    private final Webhook webhook = new Webhook();

    private final Reconciler reconciler = new Reconciler();

    private final Expiry expiry = new Expiry();

    private final Events events = new Events();

    private final Recharge recharge = new Recharge();

    private final Doctor doctor = new Doctor();
    private final Observations observations = new Observations();

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public String getSchema() {
        return schema;
    }

    public void setSchema(String schema) {
        this.schema = schema;
    }

    public Database getDatabase() {
        return database;
    }

    public boolean isMigrate() {
        return migrate;
    }

    public void setMigrate(boolean migrate) {
        this.migrate = migrate;
    }

    public RefundPolicy getRefundPolicy() {
        return refundPolicy;
    }

    public void setRefundPolicy(RefundPolicy refundPolicy) {
        this.refundPolicy = refundPolicy;
    }

    public Duration getAbandonPurchasesAfter() {
        return abandonPurchasesAfter;
    }

    public void setAbandonPurchasesAfter(Duration abandonPurchasesAfter) {
        this.abandonPurchasesAfter = abandonPurchasesAfter;
    }

    public int getMaxEventAttempts() {
        return maxEventAttempts;
    }

    public void setMaxEventAttempts(int maxEventAttempts) {
        this.maxEventAttempts = maxEventAttempts;
    }

    public int getMaxOpenPurchasesPerUser() {
        return maxOpenPurchasesPerUser;
    }

    public void setMaxOpenPurchasesPerUser(int maxOpenPurchasesPerUser) {
        this.maxOpenPurchasesPerUser = maxOpenPurchasesPerUser;
    }

    public Stripe getStripe() {
        return stripe;
    }

    public Web getWeb() {
        return web;
    }

    public Webhook getWebhook() {
        return webhook;
    }

    public Reconciler getReconciler() {
        return reconciler;
    }

    public Doctor getDoctor() {
        return doctor;
    }

    public Observations getObservations() {
        return observations;
    }

    public Expiry getExpiry() {
        return expiry;
    }

    public Events getEvents() {
        return events;
    }

    public Recharge getRecharge() {
        return recharge;
    }

    /** How to reach Stripe. Stripe is "configured" when secret-key is set. */
    /** Where the library's tables live. */
    public static class Database {

        /**
         * How the tables are laid out: postgresql (one server, the default) or citus (the DataSource
         * is a Citus coordinator: the migrations distribute the per-user tables by user_id and run each
         * posting on the worker that holds the user).
         */
        private DatabaseTopology topology = DatabaseTopology.POSTGRESQL;

        public DatabaseTopology getTopology() {
            return topology;
        }

        public void setTopology(DatabaseTopology topology) {
            this.topology = topology;
        }
    }

    public static class Stripe {

        /**
         * Secret API key (sk_test_... or sk_live_..., or a restricted rk_...).
         * Defaults to the environment variable STRIPE_SECRET_KEY. Without it, purchases, the
         * webhook endpoint and the reconciler are off; balances and the ledger still work.
         */
        private String secretKey;

        /**
         * Publishable key (pk_test_...) that the payment page gives Stripe.js; passed to the
         * core's Stripe API settings and served by GET /api/v1/billing/config/. Defaults to
         * STRIPE_PUBLIC_KEY (or STRIPE_PUBLISHABLE_KEY, VITE_STRIPE_PUBLISHABLE_KEY).
         */
        private String publishableKey;

        /**
         * Webhook signing secret (whsec_...) of the endpoint; several separated by commas
         * while a secret is rolled. Defaults to STRIPE_WEBHOOK_SECRET.
         */
        private String webhookSecret;

        /** Further webhook signing secrets accepted besides webhook-secret, e.g. during a rotation. */
        private List<String> webhookSecrets = new ArrayList<>();

        /**
         * Where API requests go instead of https://api.stripe.com, e.g. a FakeStripe's
         * http://127.0.0.1:12111 in tests and demos.
         */
        private URI apiBase;

        /** Connect timeout of API requests to Stripe. */
        private Duration connectTimeout = StripeApi.DEFAULT_CONNECT_TIMEOUT;

        /** Read timeout of API requests to Stripe. */
        private Duration readTimeout = StripeApi.DEFAULT_READ_TIMEOUT;

        /** How often stripe-java retries a failed API request (with idempotency keys, so safely). */
        private int maxNetworkRetries = StripeApi.DEFAULT_MAX_NETWORK_RETRIES;

        /**
         * How old a webhook's signature timestamp may be before the delivery is refused as a replay;
         * at least 1s.
         */
        private Duration webhookTolerance = WebhookVerification.DEFAULT_TOLERANCE;

        /** Largest webhook body accepted; larger deliveries are answered 413 without being read. */
        private DataSize maxWebhookPayloadSize = DataSize.ofBytes(WebhookVerification.DEFAULT_MAX_PAYLOAD_BYTES);

        /**
         * Refuse to start with live keys (sk_live_, rk_live_, pk_live_): a
         * guard for staging and demo environments.
         */
        private boolean testModeOnly = false;

        public String getSecretKey() {
            return secretKey;
        }

        public void setSecretKey(String secretKey) {
            this.secretKey = secretKey;
        }

        public String getPublishableKey() {
            return publishableKey;
        }

        public void setPublishableKey(String publishableKey) {
            this.publishableKey = publishableKey;
        }

        public String getWebhookSecret() {
            return webhookSecret;
        }

        public void setWebhookSecret(String webhookSecret) {
            this.webhookSecret = webhookSecret;
        }

        public List<String> getWebhookSecrets() {
            return webhookSecrets;
        }

        public void setWebhookSecrets(List<String> webhookSecrets) {
            this.webhookSecrets = webhookSecrets;
        }

        public URI getApiBase() {
            return apiBase;
        }

        public void setApiBase(URI apiBase) {
            this.apiBase = apiBase;
        }

        public Duration getConnectTimeout() {
            return connectTimeout;
        }

        public void setConnectTimeout(Duration connectTimeout) {
            this.connectTimeout = connectTimeout;
        }

        public Duration getReadTimeout() {
            return readTimeout;
        }

        public void setReadTimeout(Duration readTimeout) {
            this.readTimeout = readTimeout;
        }

        public int getMaxNetworkRetries() {
            return maxNetworkRetries;
        }

        public void setMaxNetworkRetries(int maxNetworkRetries) {
            this.maxNetworkRetries = maxNetworkRetries;
        }

        public Duration getWebhookTolerance() {
            return webhookTolerance;
        }

        public void setWebhookTolerance(Duration webhookTolerance) {
            this.webhookTolerance = webhookTolerance;
        }

        public DataSize getMaxWebhookPayloadSize() {
            return maxWebhookPayloadSize;
        }

        public void setMaxWebhookPayloadSize(DataSize maxWebhookPayloadSize) {
            this.maxWebhookPayloadSize = maxWebhookPayloadSize;
        }

        public boolean isTestModeOnly() {
            return testModeOnly;
        }

        public void setTestModeOnly(boolean testModeOnly) {
            this.testModeOnly = testModeOnly;
        }

        /** True when a secret key is set (blank counts as unset, as an empty environment variable does). */
        public boolean isConfigured() {
            return hasText(secretKey);
        }

        /** Every webhook secret from webhook-secret (comma-separated) and webhook-secrets, in order, without blanks. */
        public List<String> allWebhookSecrets() {
            Set<String> secrets = new LinkedHashSet<>();
            if (webhookSecret != null) {
                Arrays.stream(webhookSecret.split(","))
                        .map(String::trim)
                        .filter(BillingProperties::hasText)
                        .forEach(secrets::add);
            }
            if (webhookSecrets != null) {
                webhookSecrets.stream()
                        .filter(BillingProperties::hasText)
                        .map(String::trim)
                        .forEach(secrets::add);
            }
            return List.copyOf(secrets);
        }
    }

    /** The REST API the payment page calls. */
    public static class Web {

        /** Whether to serve the REST API (packages, purchase, balance, purchases, transactions, config). */
        private boolean enabled = true;

        /** Path prefix of the REST API. */
        private String basePath = DEFAULT_BASE_PATH;

        /** Ledger entries per page of GET .../tokens/transactions/ when no limit is given. */
        private int transactionsPageSize = DEFAULT_TRANSACTIONS_PAGE_SIZE;

        /**
         * Largest request body the REST API accepts; a request declaring a larger Content-Length is
         * answered 413 without being read. The webhook endpoint has its own limit
         * (billing.stripe.max-webhook-payload-size).
         */
        private DataSize maxRequestSize = DEFAULT_MAX_REQUEST_SIZE;

        /**
         * Path of the application's billing page, where Stripe Checkout and the Customer Portal send
         * the browser back when the request names no URL: the request's origin and context path, then
         * this path, with ?checkout=success&session_id=... or ?checkout=canceled after a checkout.
         */
        private String returnPath = DEFAULT_RETURN_PATH;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public String getBasePath() {
            return basePath;
        }

        public void setBasePath(String basePath) {
            this.basePath = basePath;
        }

        public int getTransactionsPageSize() {
            return transactionsPageSize;
        }

        public void setTransactionsPageSize(int transactionsPageSize) {
            this.transactionsPageSize = transactionsPageSize;
        }

        public DataSize getMaxRequestSize() {
            return maxRequestSize;
        }

        public void setMaxRequestSize(DataSize maxRequestSize) {
            this.maxRequestSize = maxRequestSize;
        }

        public String getReturnPath() {
            return returnPath;
        }

        public void setReturnPath(String returnPath) {
            this.returnPath = returnPath;
        }
    }

    /** The endpoint Stripe delivers webhooks to. */
    public static class Webhook {

        /**
         * Whether to serve the webhook endpoint (when Stripe is configured). When on, a webhook
         * signing secret is required: startup fails without one.
         */
        private boolean enabled = true;

        /** Path of the webhook endpoint, as registered in the Stripe dashboard. */
        private String path = DEFAULT_WEBHOOK_PATH;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public String getPath() {
            return path;
        }

        public void setPath(String path) {
            this.path = path;
        }
    }

    /** The background job that repairs what webhooks missed. */
    public static class Reconciler {

        /**
         * Whether to run the reconciler in this application (when Stripe is configured). Safe on
         * many instances at once: each purchase and event is leased by one of them.
         */
        private boolean enabled = true;

        /** Pause between the end of one run and the start of the next. */
        private Duration interval = DEFAULT_RECONCILER_INTERVAL;

        /** Delay of the first run after startup. */
        private Duration initialDelay = DEFAULT_RECONCILER_INITIAL_DELAY;

        /** Open purchases older than this are checked with Stripe; also the health indicator's "stuck" threshold. */
        private Duration olderThan = DEFAULT_RECONCILER_OLDER_THAN;

        /** Most purchases checked, and most failed events retried, per run. */
        private int batchSize = DEFAULT_RECONCILER_BATCH_SIZE;

        /**
         * Whether to also list recent events from Stripe's API now and then, and process those that
         * never arrived as webhooks (a misconfigured endpoint, an outage longer than Stripe's retries).
         * Costs Stripe API calls; off by default.
         */
        private boolean fetchMissedEvents = false;

        /** Pause between two fetches of missed events (with fetch-missed-events). */
        private Duration missedEventsInterval = DEFAULT_MISSED_EVENTS_INTERVAL;

        /** How far back each fetch of missed events looks; at most 30 days (Stripe keeps events that long). */
        private Duration missedEventsLookback = DEFAULT_MISSED_EVENTS_LOOKBACK;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public Duration getInterval() {
            return interval;
        }

        public void setInterval(Duration interval) {
            this.interval = interval;
        }

        public Duration getInitialDelay() {
            return initialDelay;
        }

        public void setInitialDelay(Duration initialDelay) {
            this.initialDelay = initialDelay;
        }

        public Duration getOlderThan() {
            return olderThan;
        }

        public void setOlderThan(Duration olderThan) {
            this.olderThan = olderThan;
        }

        public int getBatchSize() {
            return batchSize;
        }

        public void setBatchSize(int batchSize) {
            this.batchSize = batchSize;
        }

        public boolean isFetchMissedEvents() {
            return fetchMissedEvents;
        }

        public void setFetchMissedEvents(boolean fetchMissedEvents) {
            this.fetchMissedEvents = fetchMissedEvents;
        }

        public Duration getMissedEventsInterval() {
            return missedEventsInterval;
        }

        public void setMissedEventsInterval(Duration missedEventsInterval) {
            this.missedEventsInterval = missedEventsInterval;
        }

        public Duration getMissedEventsLookback() {
            return missedEventsLookback;
        }

        public void setMissedEventsLookback(Duration missedEventsLookback) {
            this.missedEventsLookback = missedEventsLookback;
        }
    }

    /** The background job that releases lapsed holds and takes expired lots out of balances. */
    public static class Expiry {

        /**
         * Whether to run expiry in this application, with or without Stripe. Safe on many
         * instances at once: each hold and lot is expired exactly once.
         */
        private boolean enabled = true;

        /** Pause between the end of one expiry run and the start of the next. */
        private Duration interval = DEFAULT_EXPIRY_INTERVAL;

        /** Delay of the first expiry run after startup. */
        private Duration initialDelay = DEFAULT_EXPIRY_INITIAL_DELAY;

        /**
         * Most holds and most lots expired per batch (1-1000); a run repeats full batches (up to 20)
         * until the backlog is gone.
         */
        private int batchSize = DEFAULT_EXPIRY_BATCH_SIZE;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public Duration getInterval() {
            return interval;
        }

        public void setInterval(Duration interval) {
            this.interval = interval;
        }

        public Duration getInitialDelay() {
            return initialDelay;
        }

        public void setInitialDelay(Duration initialDelay) {
            this.initialDelay = initialDelay;
        }

        public int getBatchSize() {
            return batchSize;
        }

        public void setBatchSize(int batchSize) {
            this.batchSize = batchSize;
        }
    }

    /** The background job that delivers billing events from the outbox to the application's listeners. */
    public static class Events {

        /**
         * Whether to deliver billing events in this application, with or without Stripe. Safe on many
         * instances at once: each event is leased by one of them. Without BillingEventListener beans,
         * due events are only marked delivered.
         */
        private boolean enabled = true;

        /** Pause between the end of one delivery run and the start of the next; also the delay of the first. */
        private Duration deliveryInterval = DEFAULT_EVENTS_DELIVERY_INTERVAL;

        /** Most events delivered per run (1-1000). */
        private int batchSize = DEFAULT_EVENTS_BATCH_SIZE;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public Duration getDeliveryInterval() {
            return deliveryInterval;
        }

        public void setDeliveryInterval(Duration deliveryInterval) {
            this.deliveryInterval = deliveryInterval;
        }

        public int getBatchSize() {
            return batchSize;
        }

        public void setBatchSize(int batchSize) {
            this.batchSize = batchSize;
        }
    }

    /** The background job that buys packs off-session for users whose auto-recharge rule was triggered. */
    public static class Recharge {

        /**
         * Whether to run the auto-recharge worker in this application (when Stripe is configured).
         * Safe on many instances at once: each recharge is leased by one of them.
         */
        private boolean enabled = true;

        /** Pause between the end of one auto-recharge run and the start of the next; also the delay of the first. */
        private Duration interval = DEFAULT_RECHARGE_INTERVAL;

        /** Most recharges acted on per run (1-1000). */
        private int batchSize = DEFAULT_RECHARGE_BATCH_SIZE;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public Duration getInterval() {
            return interval;
        }

        public void setInterval(Duration interval) {
            this.interval = interval;
        }

        public int getBatchSize() {
            return batchSize;
        }

        public void setBatchSize(int batchSize) {
            this.batchSize = batchSize;
        }
    }

    static boolean hasText(String value) {
        return value != null && !value.isBlank();
    }

    /** Purchases, debits, holds, webhooks and reconciler passes as Micrometer observations (timers, spans). */
    public static class Observations {

        /** Whether the library's operations are observed when Micrometer's Observation API is on the classpath. */
        private boolean enabled = true;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }
    }

    /** {@code billing doctor}'s checks in {@code /actuator/info}. */
    public static class Doctor {

        /** Whether /actuator/info shows the doctor's checks (billingDoctor); each request calls Stripe, so off by default. */
        private boolean enabled = false;

        /** The public URL Stripe delivers this application's webhooks to, for the webhook endpoint check; without it that check is skipped. */
        private String webhookUrl;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public String getWebhookUrl() {
            return webhookUrl;
        }

        public void setWebhookUrl(String webhookUrl) {
            this.webhookUrl = webhookUrl;
        }
    }
}
