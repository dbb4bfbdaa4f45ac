package dev.tokenbilling;

import dev.tokenbilling.doctor.Doctor;
import dev.tokenbilling.error.BillingError;
import dev.tokenbilling.error.BillingException;
import dev.tokenbilling.error.InvalidRequestException;
import dev.tokenbilling.hook.BillingEventListener;
import dev.tokenbilling.hook.BillingListener;
import dev.tokenbilling.hook.BillingObserver;
import dev.tokenbilling.hook.EventHandler;
import dev.tokenbilling.hook.StripeCustomerResolver;
import dev.tokenbilling.internal.PolicySource;
import dev.tokenbilling.internal.PurchaseTransitions;
import dev.tokenbilling.internal.StoredPolicies;
import dev.tokenbilling.internal.observe.ObservedReconciler;
import dev.tokenbilling.internal.observe.ObservedTokenBillingService;
import dev.tokenbilling.internal.observe.ObservedWebhookProcessor;
import dev.tokenbilling.internal.outbox.EventDelivery;
import dev.tokenbilling.internal.postgres.PostgresBillingStore;
import dev.tokenbilling.internal.reconcile.DefaultReconciler;
import dev.tokenbilling.internal.service.DefaultTokenBillingService;
import dev.tokenbilling.internal.service.ServiceContext;
import dev.tokenbilling.internal.stripe.StripeAccountClient;
import dev.tokenbilling.internal.stripe.StripePaymentGateway;
import dev.tokenbilling.internal.subscription.Allowances;
import dev.tokenbilling.internal.subscription.SubscriptionEvents;
import dev.tokenbilling.internal.webhook.EventDispatcher;
import dev.tokenbilling.internal.webhook.StripeWebhookProcessor;
import dev.tokenbilling.model.RefundPolicy;
import dev.tokenbilling.payment.PaymentGateway;
import dev.tokenbilling.reconcile.Reconciler;
import dev.tokenbilling.service.TokenBillingService;
import dev.tokenbilling.store.BillingStore;
import dev.tokenbilling.stripe.StripeAccount;
import dev.tokenbilling.stripe.StripeApi;
import dev.tokenbilling.stripe.WebhookVerification;
import dev.tokenbilling.webhook.WebhookProcessor;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import javax.sql.DataSource;

/**
 * The one entry point: configure once with {@link #builder()}, then use {@link #service()},
 * {@link #webhooks()} and {@link #reconciler()}. Immutable: {@link Builder#build()} validates every
 * setting and makes every collaborator once.
 *
 * <pre>{@code
 * TokenBilling billing = TokenBilling.builder()
 *     .dataSource(dataSource)                                     // the host's pool
 *     .stripe(StripeApi.fromEnvironment().build())                // STRIPE_SECRET_KEY: purchases, sync, reconciler
 *     .webhooks(WebhookVerification.fromEnvironment().build())    // STRIPE_WEBHOOK_SECRET
 *     .build();                                                   // applies the schema migrations unless migrate(false)
 * }</pre>
 */
public final class TokenBilling {

    public static final String DEFAULT_SCHEMA = BillingSchema.DEFAULT_SCHEMA;
    public static final boolean DEFAULT_MIGRATE = true;
    public static final RefundPolicy DEFAULT_REFUND_POLICY = RefundPolicy.ALLOW_NEGATIVE_BALANCE;
    /** How many open purchases one user may have at once; more is refused with {@code TOO_MANY_OPEN_PURCHASES}. */
    public static final int DEFAULT_MAX_OPEN_PURCHASES_PER_USER = 10;
    /** How long a tier's allowance outlives its billing period by default. */
    public static final Duration DEFAULT_ALLOWANCE_GRACE = Allowances.DEFAULT_GRACE;

    private final BillingStore store;
    private final Clock clock;
    private final TokenBillingService service;
    private final Optional<PaymentGateway> gateway;
    private final WebhookProcessor webhooks;
    private final Optional<Reconciler> reconciler;
    private final PolicySource policies;
    private final Optional<StripeApi> stripe;
    private final WebhookVerification webhookVerification;
    private final Optional<BillingSchema> schema;

    private TokenBilling(Builder builder, BillingStore store, PolicySource policies, Optional<BillingSchema> schema) {
        this.store = store;
        this.stripe = Optional.ofNullable(builder.stripe);
        this.webhookVerification = builder.webhooks;
        this.schema = schema;
        this.clock = builder.clock;
        this.policies = policies;
        this.gateway = Optional.ofNullable(builder.gateway)
                .or(() -> Optional.ofNullable(builder.stripe).map(StripePaymentGateway::new));
        PurchaseTransitions transitions =
                new PurchaseTransitions(clock, () -> policies.get().refundPolicy());
        Allowances allowances = new Allowances(builder.allowanceGrace);
        SubscriptionEvents subscriptionEvents = new SubscriptionEvents(allowances, clock);
        TokenBillingService core = DefaultTokenBillingService.create(new ServiceContext(
                store,
                clock,
                gateway,
                builder.customers,
                transitions,
                builder.listeners,
                builder.maxOpenPurchasesPerUser,
                allowances,
                subscriptionEvents,
                new EventDelivery(store, builder.eventListeners, clock)));
        BillingObserver observer = builder.observer;
        this.service = observer == BillingObserver.NONE ? core : new ObservedTokenBillingService(core, observer);
        WebhookProcessor processor = new StripeWebhookProcessor(
                store,
                builder.webhooks,
                new EventDispatcher(
                        transitions,
                        builder.eventHandlers,
                        () -> policies.get().hostEventTypes(),
                        Optional.ofNullable(builder.stripe).map(StripeApi::liveMode),
                        subscriptionEvents),
                clock,
                builder.listeners);
        this.webhooks =
                observer == BillingObserver.NONE ? processor : new ObservedWebhookProcessor(processor, observer);
        this.reconciler = gateway.map(payments -> new DefaultReconciler(
                        store,
                        payments,
                        transitions,
                        webhooks,
                        clock,
                        () -> policies.get().abandonAfter(),
                        builder.maxEventAttempts,
                        builder.listeners,
                        subscriptionEvents))
                .map(plain -> observer == BillingObserver.NONE ? plain : new ObservedReconciler(plain, observer));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The facade: catalog, ledger, reservations, purchases, operations. */
    public TokenBillingService service() {
        return service;
    }

    /** Verifies, stores and processes Stripe webhook deliveries; mount it on the host's endpoint. */
    public WebhookProcessor webhooks() {
        return webhooks;
    }

    /**
     * Repairs stuck purchases, retries failed events and fetches missed ones.
     *
     * @throws BillingException {@code PAYMENTS_NOT_CONFIGURED} when built without Stripe (or another gateway)
     */
    public Reconciler reconciler() {
        return reconciler.orElseThrow(ServiceContext::paymentsNotConfigured);
    }

    /** Whether payments (purchases, catalog sync, the reconciler) are configured. */
    public boolean paymentsConfigured() {
        return gateway.isPresent();
    }

    /** The payment gateway, when Stripe (or another gateway) is configured; for integrations. */
    public Optional<PaymentGateway> paymentGateway() {
        return gateway;
    }

    /** The Stripe event types the library acts on: the webhook endpoint must send each of them. */
    public static Set<String> handledEventTypes() {
        return EventDispatcher.HANDLED_TYPES;
    }

    /** The Stripe account of these settings, through stripe-java: its prices and webhook endpoints. */
    public static StripeAccount stripeAccount(StripeApi stripe) {
        return new StripeAccountClient(Objects.requireNonNull(stripe, "stripe"));
    }

    /**
     * A doctor that knows the library's event types and talks to Stripe through stripe-java; give it
     * the database and settings there are. For a host that may not get as far as building a
     * {@link TokenBilling} (the CLI, with a database that is down).
     */
    public static Doctor.Builder newDoctor() {
        return Doctor.builder().eventTypes(handledEventTypes()).stripeAccount(TokenBilling::stripeAccount);
    }

    /**
     * A doctor for this instance: its database and schema, Stripe and webhook settings and clock.
     * Add the application's webhook URL ({@link Doctor.Builder#webhookUrl}) to check the endpoint.
     */
    public Doctor.Builder doctor() {
        Doctor.Builder doctor = newDoctor()
                .service(() -> service)
                .stripe(() -> stripe)
                .webhooks(() -> webhookVerification)
                .clock(clock);
        schema.ifPresent(s -> doctor.schema(s::status));
        return doctor;
    }

    /** The store the library runs on; for integrations and store tests. */
    public BillingStore store() {
        return store;
    }

    public Clock clock() {
        return clock;
    }

    /** The refund policy in force: this process's, or the one stored with the schema. */
    public RefundPolicy refundPolicy() {
        return policies.get().refundPolicy();
    }

    /** How long an open purchase may stay open before the reconciler cancels it (stored with the schema). */
    public Duration abandonPurchasesAfter() {
        return policies.get().abandonAfter();
    }

    /** Builds a {@link TokenBilling}; a builder may be reused, each {@link #build()} makes an independent instance. */
    public static final class Builder {

        private DataSource dataSource;
        private BillingStore store;
        private String schema = DEFAULT_SCHEMA;
        private Clock clock = Clock.systemUTC();
        private boolean migrate = DEFAULT_MIGRATE;
        private DatabaseTopology topology = DatabaseTopology.POSTGRESQL;
        private StripeApi stripe;
        private WebhookVerification webhooks = WebhookVerification.none();
        private PaymentGateway gateway;
        private StripeCustomerResolver customers = user -> Optional.empty();
        private RefundPolicy refundPolicy;
        private boolean replaceStoredPolicies;
        private final List<EventHandler> eventHandlers = new ArrayList<>();
        private final List<BillingListener> listeners = new ArrayList<>();
        private final List<BillingEventListener> eventListeners = new ArrayList<>();
        private BillingObserver observer = BillingObserver.NONE;
        private Duration abandonAfter;
        private int maxEventAttempts = Reconciler.DEFAULT_MAX_EVENT_ATTEMPTS;
        private int maxOpenPurchasesPerUser = DEFAULT_MAX_OPEN_PURCHASES_PER_USER;
        private Duration allowanceGrace = DEFAULT_ALLOWANCE_GRACE;

        private Builder() {}

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

        /**
         * How the tables are laid out: {@link DatabaseTopology#POSTGRESQL} (the default) or
         * {@link DatabaseTopology#CITUS}, with the data source on the Citus coordinator.
         */
        public Builder topology(DatabaseTopology topology) {
            this.topology = Objects.requireNonNull(topology, "topology");
            return this;
        }

        /** Whether {@link #build()} applies the schema migrations (default true). */
        public Builder migrate(boolean migrate) {
            this.migrate = migrate;
            return this;
        }

        /** How to call Stripe's API; enables purchases, catalog sync and the reconciler. */
        public Builder stripe(StripeApi stripe) {
            this.stripe = Objects.requireNonNull(stripe, "stripe");
            return this;
        }

        /** How webhook deliveries are verified; without it every delivery is answered 503 (Stripe keeps it). */
        public Builder webhooks(WebhookVerification webhooks) {
            this.webhooks = Objects.requireNonNull(webhooks, "webhooks");
            return this;
        }

        /** Another payment gateway instead of the stripe-java one. */
        public Builder paymentGateway(PaymentGateway gateway) {
            this.gateway = Objects.requireNonNull(gateway, "gateway");
            return this;
        }

        /** The Stripe customer each user's PaymentIntents belong to; default none. */
        public Builder customerResolver(StripeCustomerResolver customers) {
            this.customers = Objects.requireNonNull(customers, "customers");
            return this;
        }

        /**
         * What refunds and disputes do to tokens already spent. Stored with the schema by the first
         * process that sets it; a process that sets none (the CLI) applies the stored one, and one that
         * sets another is refused ({@code INVALID_CONFIGURATION}) unless {@link #replaceStoredPolicies()}.
         * Default, when none is stored: {@link RefundPolicy#ALLOW_NEGATIVE_BALANCE}.
         */
        public Builder refundPolicy(RefundPolicy refundPolicy) {
            this.refundPolicy = Objects.requireNonNull(refundPolicy, "refundPolicy");
            return this;
        }

        /** Adds a host handler for Stripe event types the library does not process itself. */
        public Builder eventHandler(EventHandler handler) {
            this.eventHandlers.add(Objects.requireNonNull(handler, "handler"));
            return this;
        }

        /**
         * Observes purchases, debits, holds, webhook deliveries and reconciler passes as they run (spans
         * and timers); the Spring Boot starter sets one on Micrometer's Observation API. Default: none.
         */
        public Builder observer(BillingObserver observer) {
            this.observer = Objects.requireNonNull(observer, "observer");
            return this;
        }

        /** Adds a listener told of purchases, credits, debits and webhooks after they committed (metrics, e-mails). */
        public Builder listener(BillingListener listener) {
            this.listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * Adds a listener of the durable billing events (purchase completed, balance low or depleted,
         * subscription changed...), delivered by {@code service().operations().deliverEvents(limit)}
         * at least once, in order per user, also after a crash: see {@link BillingEventListener}.
         */
        public Builder eventListener(BillingEventListener listener) {
            this.eventListeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /** Open purchases older than this are canceled by the reconciler; stored with the schema like the refund policy; default 3 days. */
        public Builder abandonPurchasesAfter(Duration abandonAfter) {
            this.abandonAfter = Objects.requireNonNull(abandonAfter, "abandonAfter");
            return this;
        }

        /** Stores this process's policies with the schema even where others are stored: an operator's deliberate change. */
        public Builder replaceStoredPolicies() {
            this.replaceStoredPolicies = true;
            return this;
        }

        /** How often a failed webhook event is retried automatically; default 10. */
        public Builder maxEventAttempts(int maxEventAttempts) {
            this.maxEventAttempts = maxEventAttempts;
            return this;
        }

        /** How many open purchases one user may have at once; default {@value TokenBilling#DEFAULT_MAX_OPEN_PURCHASES_PER_USER}. */
        public Builder maxOpenPurchasesPerUser(int maxOpenPurchasesPerUser) {
            this.maxOpenPurchasesPerUser = maxOpenPurchasesPerUser;
            return this;
        }

        /**
         * How long a tier's allowance outlives its period, so that a renewal paid a little after the
         * period's end leaves no gap; default 2 hours. Zero makes it expire exactly at the period's end.
         */
        public Builder allowanceGrace(Duration allowanceGrace) {
            this.allowanceGrace = allowanceGrace;
            return this;
        }

        /**
         * Validates every setting, applies the migrations (unless {@code migrate(false)}) and makes the
         * instance.
         *
         * @throws BillingException {@code INVALID_CONFIGURATION} for a missing data source or a value out of range;
         *         {@code STORE_UNAVAILABLE} when the database cannot be reached to migrate
         */
        public TokenBilling build() {
            if (store == null && dataSource == null) {
                throw invalid("dataSource", "is required unless a store is given");
            }
            if (abandonAfter != null && (abandonAfter.isNegative() || abandonAfter.isZero())) {
                throw invalid("abandonPurchasesAfter", "must be positive, was " + abandonAfter);
            }
            if (maxEventAttempts < 1) {
                throw invalid("maxEventAttempts", "must be at least 1, was " + maxEventAttempts);
            }
            if (maxOpenPurchasesPerUser < 1) {
                throw invalid("maxOpenPurchasesPerUser", "must be at least 1, was " + maxOpenPurchasesPerUser);
            }
            if (allowanceGrace == null || allowanceGrace.isNegative()) {
                throw invalid("allowanceGrace", "must be zero or positive, was " + allowanceGrace);
            }
            BillingStore chosen = store;
            BillingSchema billingSchema = null;
            if (chosen == null) {
                try {
                    billingSchema = BillingSchema.of(dataSource, schema, topology);
                } catch (InvalidRequestException e) {
                    throw invalid("schema", e.getMessage());
                }
                if (migrate) {
                    billingSchema.migrate();
                }
                chosen = PostgresBillingStore.create(dataSource, schema, topology == DatabaseTopology.CITUS);
            }
            BillingStore store = chosen;
            Set<String> eventTypes = eventHandlers.stream()
                    .flatMap(handler -> handler.eventTypes().stream())
                    .collect(Collectors.toSet());
            Optional<RefundPolicy> ownRefundPolicy = Optional.ofNullable(refundPolicy);
            Optional<Duration> ownAbandonAfter = Optional.ofNullable(abandonAfter);
            boolean replace = replaceStoredPolicies;
            Clock policyClock = clock;
            PolicySource policies = new PolicySource(() -> StoredPolicies.resolve(
                    store.settings(),
                    ownRefundPolicy,
                    ownAbandonAfter,
                    eventTypes,
                    replace,
                    DEFAULT_REFUND_POLICY,
                    Reconciler.DEFAULT_ABANDON_AFTER,
                    policyClock.instant()));
            try {
                policies.get(); // a policy that differs from the stored one is refused here
            } catch (BillingException e) {
                // The database is down, or not migrated yet (migrate(false) and a CLI that migrates
                // later): the policies are read at first use instead.
                if (e.code() != BillingError.STORE_UNAVAILABLE && e.code() != BillingError.SCHEMA_NOT_MIGRATED) {
                    throw e;
                }
            }
            return new TokenBilling(this, chosen, policies, Optional.ofNullable(billingSchema));
        }

        private static BillingException invalid(String field, String problem) {
            return new BillingException(BillingError.INVALID_CONFIGURATION, field + ": " + problem);
        }
    }
}
