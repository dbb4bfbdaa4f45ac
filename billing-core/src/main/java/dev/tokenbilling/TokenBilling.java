package dev.tokenbilling;

import dev.tokenbilling.internal.postgres.PostgresBillingStore;
import dev.tokenbilling.spi.BillingStore;
import dev.tokenbilling.internal.PurchaseTransitions;
import dev.tokenbilling.internal.stripe.StripePaymentGateway;
import dev.tokenbilling.internal.webhook.EventDispatcher;
import dev.tokenbilling.reconcile.Reconciler;
import dev.tokenbilling.spi.BillingListener;
import dev.tokenbilling.spi.EventHandler;
import dev.tokenbilling.spi.PaymentGateway;
import dev.tokenbilling.spi.StripeCustomerResolver;
import dev.tokenbilling.stripe.StripeSettings;
import dev.tokenbilling.webhook.WebhookProcessor;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * The one entry point: configure once with {@link #builder()}, then use {@link #service()}.
 *
 * <pre>{@code
 * TokenBilling billing = TokenBilling.builder()
 *     .dataSource(dataSource)          // the host's pool, or EmbeddedDatabase.startDefault().dataSource()
 *     .build();                        // applies the schema migrations unless migrate(false)
 * billing.service().consume(UserId.of("42"), 1_250, "req-7f3a", "chat completion");
 * }</pre>
 */
public final class TokenBilling {

    public static final String DEFAULT_SCHEMA = BillingSchema.DEFAULT_SCHEMA;
    public static final boolean DEFAULT_MIGRATE = true;

    private final BillingStore store;
    private final Clock clock;
    private final TokenBillingService service;
    private final Optional<PaymentGateway> gateway;
    private final WebhookProcessor webhooks;
    private final PurchaseTransitions transitions;
    private final Builder settings;

    private TokenBilling(Builder builder) {
        this.settings = builder;
        this.clock = builder.clock;
        this.store = builder.store != null ? builder.store : PostgresBillingStore.create(builder.dataSource, builder.schema);
        this.gateway = Optional.ofNullable(builder.gateway)
                .or(() -> Optional.ofNullable(builder.stripe).map(StripePaymentGateway::new));
        this.transitions = new PurchaseTransitions(clock, builder.refundPolicy);
        this.service = new TokenBillingService(store, clock, gateway, builder.customers, transitions, builder.listeners);
        StripeSettings stripe = builder.stripe;
        this.webhooks = new WebhookProcessor(store,
                stripe == null ? List.of() : stripe.webhookSecrets(),
                stripe == null ? StripeSettings.DEFAULT_WEBHOOK_TOLERANCE : stripe.webhookTolerance(),
                stripe == null ? StripeSettings.DEFAULT_MAX_WEBHOOK_PAYLOAD_BYTES : stripe.maxWebhookPayloadBytes(),
                new EventDispatcher(transitions, builder.eventHandlers), clock, builder.listeners);
    }

    public static Builder builder() {
        return new Builder();
    }

    public TokenBillingService service() {
        return service;
    }

    /** Verifies, stores and processes Stripe webhook deliveries. */
    public WebhookProcessor webhooks() {
        return webhooks;
    }

    /** Repairs stuck purchases, retries failed events and fetches missed ones; needs Stripe. */
    public Reconciler reconciler() {
        PaymentGateway payments = gateway.orElseThrow(TokenBillingService::stripeNotConfigured);
        return new Reconciler(store, payments, transitions, webhooks, clock, settings.abandonAfter, settings.maxEventAttempts,
                settings.listeners);
    }

    /** The payment gateway, when Stripe (or another gateway) is configured. */
    public Optional<PaymentGateway> paymentGateway() {
        return gateway;
    }

    /** The store the library runs on; for integrations (the CLI, the Spring starter). */
    public BillingStore store() {
        return store;
    }

    public Clock clock() {
        return clock;
    }

    /** Builds a {@link TokenBilling}; immutable once built. */
    public static final class Builder {

        private DataSource dataSource;
        private BillingStore store;
        private String schema = DEFAULT_SCHEMA;
        private Clock clock = Clock.systemUTC();
        private boolean migrate = DEFAULT_MIGRATE;
        private StripeSettings stripe;
        private PaymentGateway gateway;
        private StripeCustomerResolver customers = user -> Optional.empty();
        private RefundPolicy refundPolicy = RefundPolicy.ALLOW_NEGATIVE_BALANCE;
        private final List<EventHandler> eventHandlers = new ArrayList<>();
        private final List<BillingListener> listeners = new ArrayList<>();
        private Duration abandonAfter = Reconciler.DEFAULT_ABANDON_AFTER;
        private int maxEventAttempts = Reconciler.DEFAULT_MAX_EVENT_ATTEMPTS;

        private Builder() {
        }

        /** The PostgreSQL data source, ideally a connection pool. */
        public Builder dataSource(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
            return this;
        }

        /** The schema that holds the library's tables; default {@value BillingSchema#DEFAULT_SCHEMA}. */
        public Builder schema(String schema) {
            this.schema = Objects.requireNonNull(schema, "schema");
            return this;
        }

        /** Another {@link BillingStore} implementation instead of the PostgreSQL one. */
        public Builder store(BillingStore store) {
            this.store = Objects.requireNonNull(store, "store");
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Whether {@link #build()} applies the schema migrations (default true). */
        public Builder migrate(boolean migrate) {
            this.migrate = migrate;
            return this;
        }

        /** Stripe keys and options; enables purchases, webhooks and the reconciler. */
        public Builder stripe(StripeSettings stripe) {
            this.stripe = Objects.requireNonNull(stripe, "stripe");
            return this;
        }

        /** Another payment gateway instead of the stripe-java one (webhook secrets still come from {@link #stripe}). */
        public Builder paymentGateway(PaymentGateway gateway) {
            this.gateway = Objects.requireNonNull(gateway, "gateway");
            return this;
        }

        /** The Stripe customer each user's PaymentIntents belong to; default none. */
        public Builder customerResolver(StripeCustomerResolver customers) {
            this.customers = Objects.requireNonNull(customers, "customers");
            return this;
        }

        /** What refunds and disputes do to tokens already spent; default {@link RefundPolicy#ALLOW_NEGATIVE_BALANCE}. */
        public Builder refundPolicy(RefundPolicy refundPolicy) {
            this.refundPolicy = Objects.requireNonNull(refundPolicy, "refundPolicy");
            return this;
        }

        /** Adds a host handler for Stripe event types the library does not process itself. */
        public Builder eventHandler(EventHandler handler) {
            this.eventHandlers.add(Objects.requireNonNull(handler, "handler"));
            return this;
        }

        /** Adds a listener told of purchases, credits, debits and webhooks after they committed (metrics, e-mails). */
        public Builder listener(BillingListener listener) {
            this.listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /** Open purchases older than this are canceled by the reconciler; default 3 days. */
        public Builder abandonPurchasesAfter(Duration abandonAfter) {
            this.abandonAfter = Objects.requireNonNull(abandonAfter, "abandonAfter");
            return this;
        }

        /** How often a failed webhook event is retried automatically; default 10. */
        public Builder maxEventAttempts(int maxEventAttempts) {
            this.maxEventAttempts = maxEventAttempts;
            return this;
        }

        public TokenBilling build() {
            if (store == null && dataSource == null) {
                throw new InvalidRequestException("dataSource", "is required unless a store is given");
            }
            if (store == null && migrate) {
                BillingSchema.of(dataSource, schema).migrate();
            }
            return new TokenBilling(this);
        }
    }
}
