package dev.tokenbilling.testkit.stripe;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenbilling.testkit.stripe.internal.ApiVersions;
import dev.tokenbilling.testkit.stripe.internal.Engine;
import dev.tokenbilling.testkit.stripe.internal.EngineSettings;
import dev.tokenbilling.testkit.stripe.internal.Ids;
import dev.tokenbilling.testkit.stripe.internal.Json;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An offline, stateful Stripe that stripe-java cannot tell from Stripe for the calls billing code
 * makes: an HTTP server on 127.0.0.1 speaking Stripe's wire format (form-encoded requests with bracket
 * notation, JSON answers, Stripe's error JSON), with Stripe's test cards, events and signed webhooks.
 *
 * <pre>{@code
 * try (FakeStripe fake = FakeStripe.start()) {
 *   StripeClient client = StripeClient.builder()
 *       .setApiKey(FakeStripe.SECRET_KEY)
 *       .setApiBase(fake.apiBase())
 *       .build();
 *   PaymentIntent pi = client.v1().paymentIntents().create(
 *       PaymentIntentCreateParams.builder().setAmount(1999L).setCurrency("usd").build());
 * }
 * }</pre>
 *
 * <p>Besides the API, the methods of this class control what a test cannot make Stripe do on demand:
 * 3-D Secure outcomes, disputes, webhook timing and failures, API faults; and read the stored objects,
 * events and requests for assertions. All methods are thread-safe.
 */
public final class FakeStripe implements AutoCloseable {
    /** A secret key FakeStripe accepts (any {@code sk_test_...} is accepted unless configured). */
    public static final String SECRET_KEY = "sk_test_fakestripe";
    /** A publishable key FakeStripe accepts (any {@code pk_test_...} unless configured). */
    public static final String PUBLISHABLE_KEY = "pk_test_fakestripe";

    private final Engine engine;
    private final String secretKey;
    private final String publishableKey;

    private FakeStripe(Engine engine, String secretKey, String publishableKey) {
        this.engine = engine;
        this.secretKey = secretKey;
        this.publishableKey = publishableKey;
    }

    /** Starts a FakeStripe on a free port of 127.0.0.1 with the default settings. */
    public static FakeStripe start() {
        return builder().start();
    }

    /** Settings for a FakeStripe. */
    public static Builder builder() {
        return new Builder();
    }

    // ---------------------------------------------------------------- connection

    /** The base URL to give stripe-java's {@code setApiBase}, e.g. {@code http://127.0.0.1:50123}. */
    public String apiBase() {
        return engine.state().apiBase();
    }

    /** The port it listens on. */
    public int port() {
        return engine.port();
    }

    /** A secret key it accepts. */
    public String secretKey() {
        return secretKey;
    }

    /** A publishable key it accepts. */
    public String publishableKey() {
        return publishableKey;
    }

    /** Stops the server and the webhook sender. Idempotent. */
    @Override
    public void close() {
        engine.close();
    }

    /**
     * Forgets every object, event, idempotency key, queued fault, held and logged delivery and recorded
     * request, and returns the settings to those it started with (webhook endpoints registered later are
     * removed; the one from {@link Builder#webhookEndpoint} is registered again).
     */
    public void reset() {
        engine.reset();
    }

    // ---------------------------------------------------------------- API version

    /** The {@code api_version} new events carry (stripe-java's pinned version by default). */
    public String apiVersion() {
        return engine.state().apiVersion();
    }

    /** Sets the {@code api_version} new events carry, to simulate events of another API version. */
    public void setApiVersion(String apiVersion) {
        engine.state().setApiVersion(Objects.requireNonNull(apiVersion));
    }

    // ---------------------------------------------------------------- payments

    /**
     * Completes 3-D Secure for a PaymentIntent in {@code requires_action} (cards {@link
     * TestCards#AUTHENTICATION_REQUIRED}, {@link TestCards#AUTHENTICATION_ALWAYS_REQUIRED}, {@link
     * TestCards#THREE_D_SECURE_2_REQUIRED}): on success it succeeds ({@code payment_intent.succeeded});
     * on failure it returns to {@code requires_payment_method} with {@code last_payment_error.code =
     * payment_intent_authentication_failure} ({@code payment_intent.payment_failed}). Given a SetupIntent
     * id ({@code seti_...}) it does as {@link #authenticateSetup(String, boolean)}.
     *
     * @return the PaymentIntent after the change
     * @throws IllegalArgumentException for an unknown id
     * @throws IllegalStateException when it is not in {@code requires_action}
     */
    public ObjectNode authenticate(String paymentIntentId, boolean succeed) {
        return engine.authenticate(paymentIntentId, succeed);
    }

    /**
     * Completes 3-D Secure for a SetupIntent in {@code requires_action}: on success it succeeds, saving
     * the card to its customer ({@code payment_method.attached}, {@code setup_intent.succeeded}); on
     * failure it returns to {@code requires_payment_method} with {@code last_setup_error.code =
     * setup_intent_authentication_failure} ({@code setup_intent.setup_failed}).
     *
     * @return the SetupIntent after the change
     * @throws IllegalArgumentException for an unknown id
     * @throws IllegalStateException when it is not in {@code requires_action}
     */
    public ObjectNode authenticateSetup(String setupIntentId, boolean succeed) {
        if (!setupIntentId.startsWith("seti_")) {
            throw new IllegalArgumentException("No such SetupIntent: " + setupIntentId);
        }
        return engine.authenticate(setupIntentId, succeed);
    }

    /**
     * When true, a card payment that would succeed stops in {@code processing} ({@code
     * payment_intent.processing}) until {@link #completeProcessing(String, boolean)}, as asynchronous
     * payment methods do. Off by default.
     */
    public void setAsyncCardPayments(boolean async) {
        engine.state().setAsyncCardPayments(async);
    }

    /** Ends {@code processing}: succeeds the payment, or declines it ({@code generic_decline}). */
    public ObjectNode completeProcessing(String paymentIntentId, boolean succeed) {
        return engine.completeProcessing(paymentIntentId, succeed);
    }

    /**
     * Opens a dispute (reason {@code fraudulent}, full amount) on a succeeded charge or a PaymentIntent's
     * latest charge: {@code charge.dispute.created} and {@code charge.dispute.funds_withdrawn}.
     *
     * @return the dispute ({@code dp_...})
     */
    public ObjectNode openDispute(String chargeOrPaymentIntentId) {
        return engine.openDispute(chargeOrPaymentIntentId, "fraudulent", null);
    }

    /** Opens a dispute with a reason ({@code fraudulent}, {@code product_not_received}...) and amount. */
    public ObjectNode openDispute(String chargeOrPaymentIntentId, String reason, Long amount) {
        return engine.openDispute(chargeOrPaymentIntentId, reason, amount);
    }

    /** Closes an open dispute as won: {@code charge.dispute.closed}, {@code funds_reinstated}. */
    public ObjectNode winDispute(String disputeId) {
        return engine.closeDispute(disputeId, true);
    }

    /** Closes an open dispute as lost: {@code charge.dispute.closed}. */
    public ObjectNode loseDispute(String disputeId) {
        return engine.closeDispute(disputeId, false);
    }

    /**
     * Fails a refund, as a bank that cannot return the money does: {@code charge.refund.updated},
     * {@code refund.updated} and {@code refund.failed}; the charge's {@code amount_refunded} drops by
     * the refund. Refunds of {@link TestCards#REFUND_FAILS} fail this way by themselves.
     *
     * @return the failed refund
     */
    public ObjectNode failRefund(String refundId) {
        return engine.failRefund(refundId);
    }

    /**
     * Pays an open Checkout Session as its hosted page does, without a browser: mode {@code payment}
     * makes a succeeded PaymentIntent (with {@code payment_intent_data[metadata]}); mode {@code
     * subscription} a customer if the session has none, the subscription and its paid first invoice.
     * Then {@code checkout.session.completed}.
     *
     * @param cardNumberOrPaymentMethod a test card number ({@link TestCards}) or PaymentMethod id ({@code
     *     pm_card_visa})
     * @return the completed session
     * @throws IllegalStateException when the card is declined (the session stays open)
     * @throws IllegalArgumentException for an unknown session, or one that is not open
     */
    public ObjectNode completeCheckout(String sessionId, String cardNumberOrPaymentMethod) {
        return engine.completeCheckout(sessionId, cardNumberOrPaymentMethod, null);
    }

    /** As {@link #completeCheckout(String, String)}, with the email the payer types in. */
    public ObjectNode completeCheckout(String sessionId, String cardNumberOrPaymentMethod, String email) {
        return engine.completeCheckout(sessionId, cardNumberOrPaymentMethod, email);
    }

    /**
     * Runs the subscription renewals due by FakeStripe's clock (the builder's {@code .clock(Clock)}) for
     * customers on no test clock, as advancing a test clock does for its customers: periods that ended
     * end the subscription or are invoiced and paid. Nothing renews by itself otherwise.
     */
    public void runDueRenewals() {
        engine.runDueRenewals();
    }

    // ---------------------------------------------------------------- faults

    /**
     * The next {@code n} API requests whose path starts with {@code pathPrefix} (e.g. {@code
     * /v1/payment_intents}) fail as {@code kind} says.
     */
    public void failNext(String pathPrefix, int n, FaultKind kind) {
        engine.failNext(Objects.requireNonNull(pathPrefix), n, Objects.requireNonNull(kind));
    }

    /**
     * From now on accepts only these API keys, as when a key is rolled or revoked in the dashboard:
     * calls with any other key get Stripe's 401 {@code Invalid API Key provided} (stripe-java's {@code
     * AuthenticationException}). Null accepts any well-formed test key of that kind again.
     */
    public void requireApiKeys(String secretKey, String publishableKey) {
        engine.auth().require(secretKey, publishableKey);
    }

    /** How long {@link FaultKind#TIMEOUT} holds an answer (default 90 s, beyond stripe-java's 80 s). */
    public void setTimeoutDelay(Duration delay) {
        engine.setTimeoutDelay(Objects.requireNonNull(delay));
    }

    // ---------------------------------------------------------------- webhooks

    /** Registers an endpoint for all events with a new secret; the secret is in the answer. */
    public WebhookEndpoint registerWebhookEndpoint(String url) {
        return registerWebhookEndpoint(url, "whsec_" + Ids.random(32));
    }

    /** Registers an endpoint with a given secret, for the given events (none given: all, {@code *}). */
    public WebhookEndpoint registerWebhookEndpoint(String url, String secret, String... enabledEvents) {
        List<String> events = enabledEvents.length == 0 ? List.of("*") : List.of(enabledEvents);
        return engine.registerWebhookEndpoint(Objects.requireNonNull(url), Objects.requireNonNull(secret), events);
    }

    /** The registered endpoints, with their secrets. */
    public List<WebhookEndpoint> webhookEndpoints() {
        return engine.state().webhooks().endpoints();
    }

    /** When webhooks for new events are sent (default {@link WebhookMode#ASYNC}). */
    public void setWebhookMode(WebhookMode mode) {
        engine.state().webhooks().setMode(Objects.requireNonNull(mode));
    }

    /** The current webhook mode. */
    public WebhookMode webhookMode() {
        return engine.state().webhooks().mode();
    }

    /** Holds webhooks of new events until a {@code deliverHeld} call. */
    public void holdWebhooks() {
        setWebhookMode(WebhookMode.HOLD);
    }

    /** Sends webhooks of new events right away again ({@link WebhookMode#ASYNC}). */
    public void deliverWebhooksImmediately() {
        setWebhookMode(WebhookMode.ASYNC);
    }

    /** Ids of the events whose deliveries are held, oldest first (one per endpoint). */
    public List<String> heldEvents() {
        return engine.state().webhooks().heldEventIds();
    }

    /** Sends the held webhooks now, in the order of the events; returns the attempts. */
    public List<WebhookDelivery> deliverHeld() {
        return deliverHeld(DeliveryOrder.AS_HAPPENED, 1);
    }

    /** Sends the held webhooks now in {@code order}. */
    public List<WebhookDelivery> deliverHeld(DeliveryOrder order) {
        return deliverHeld(order, 1);
    }

    /**
     * Sends the held webhooks now in {@code order}, the whole batch {@code times} times (2 delivers each
     * event twice, as Stripe may). {@link DeliveryOrder#SHUFFLED} uses a random seed; see {@link
     * #deliverHeld(DeliveryOrder, int, long)} for a fixed one.
     */
    public List<WebhookDelivery> deliverHeld(DeliveryOrder order, int times) {
        return deliverHeld(order, times, System.nanoTime());
    }

    /** As {@link #deliverHeld(DeliveryOrder, int)} with a fixed shuffle seed. */
    public List<WebhookDelivery> deliverHeld(DeliveryOrder order, int times, long seed) {
        if (times < 1) {
            throw new IllegalArgumentException("times must be at least 1");
        }
        return engine.deliverHeld(Objects.requireNonNull(order), times, seed);
    }

    /** Drops the held webhooks without sending them. */
    public void discardHeld() {
        engine.state().webhooks().discardHeld();
    }

    /** Sends an event again to its endpoints (a duplicate delivery); returns the attempts. */
    public List<WebhookDelivery> redeliver(String eventId) {
        return engine.state().webhooks().redeliver(eventId);
    }

    /** The next {@code n} delivery attempts fail as {@code failure} says. */
    public void failNextDeliveries(int n, DeliveryFailure failure) {
        engine.failNextDeliveries(n, Objects.requireNonNull(failure));
    }

    /**
     * Sends again every delivery whose latest attempt failed (Stripe retries with back-off for days; here
     * the test decides when); returns the new attempts.
     */
    public List<WebhookDelivery> retryFailedDeliveries() {
        return engine.retryFailed();
    }

    /** Every delivery attempt so far, oldest first. */
    public List<WebhookDelivery> deliveryLog() {
        return engine.state().webhooks().log();
    }

    /** Waits up to 10 s for background ({@link WebhookMode#ASYNC}) deliveries; false on timeout. */
    public boolean awaitWebhooks() {
        return awaitWebhooks(Duration.ofSeconds(10));
    }

    /** Waits for background deliveries; false on timeout. */
    public boolean awaitWebhooks(Duration timeout) {
        return engine.state().webhooks().awaitIdle(timeout);
    }

    /** How long one delivery attempt may take before it counts as failed (default 10 s). */
    public void setWebhookDeliveryTimeout(Duration timeout) {
        engine.state().webhooks().setDeliveryTimeout(Objects.requireNonNull(timeout));
    }

    // ---------------------------------------------------------------- inspection

    /** A copy of the stored object with this id (any kind), if any. */
    public Optional<ObjectNode> object(String id) {
        return Optional.ofNullable(engine.state().locked(() -> {
            ObjectNode node = engine.state().store().find(id);
            return node == null ? null : node.deepCopy();
        }));
    }

    /** Copies of the stored objects of a kind ({@code payment_intent}, {@code charge}...), oldest first. */
    public List<ObjectNode> objects(String objectType) {
        return engine.state().locked(() -> {
            List<ObjectNode> out = new ArrayList<>();
            engine.state().store().oldestFirst(objectType).forEach(n -> out.add(n.deepCopy()));
            return out;
        });
    }

    /** A copy of a PaymentIntent. */
    public ObjectNode paymentIntent(String id) {
        return require("payment_intent", id);
    }

    /** A copy of a charge. */
    public ObjectNode charge(String id) {
        return require("charge", id);
    }

    /** Every event so far, oldest first. */
    public List<ObjectNode> events() {
        return objects("event");
    }

    /** The events of one type, oldest first. */
    public List<ObjectNode> events(String type) {
        return events().stream().filter(e -> type.equals(Json.text(e, "type"))).toList();
    }

    /** Types of every event so far, oldest first. */
    public List<String> eventTypes() {
        return events().stream().map(e -> e.get("type").asText()).toList();
    }

    /** The API requests answered so far (the last 10,000), oldest first. */
    public List<RecordedRequest> requests() {
        return engine.requestLog().all();
    }

    private ObjectNode require(String objectType, String id) {
        return object(id)
                .filter(n -> objectType.equals(Json.text(n, "object")))
                .orElseThrow(() -> new IllegalArgumentException("No " + objectType + " " + id));
    }

    @Override
    public String toString() {
        return "FakeStripe[" + apiBase() + "]";
    }

    /** Settings for {@link FakeStripe}; {@link #start()} starts it. */
    public static final class Builder {
        private String host;
        private int port;
        private Clock clock = Clock.systemUTC();
        private String apiVersion = ApiVersions.defaultVersion();
        private WebhookMode webhookMode = WebhookMode.ASYNC;
        private Duration timeoutDelay = Duration.ofSeconds(90);
        private Duration deliveryTimeout = Duration.ofSeconds(10);
        private String secretKey;
        private String publishableKey;
        private String webhookUrl;
        private String webhookSecret;
        private List<String> webhookEvents = List.of("*");

        private Builder() {}

        /** Port to listen on; 0 (default) takes a free one. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port " + port);
            }
            this.port = port;
            return this;
        }

        /** Address to bind (default the loopback address, 127.0.0.1). */
        public Builder host(String host) {
            this.host = host;
            return this;
        }

        /** Clock for {@code created} timestamps (default the system clock). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock);
            return this;
        }

        /** API version events carry (default stripe-java's pinned version). */
        public Builder apiVersion(String apiVersion) {
            this.apiVersion = Objects.requireNonNull(apiVersion);
            return this;
        }

        /** When webhooks are sent (default {@link WebhookMode#ASYNC}). */
        public Builder webhookMode(WebhookMode mode) {
            this.webhookMode = Objects.requireNonNull(mode);
            return this;
        }

        /** Start with webhooks held. */
        public Builder holdWebhooks() {
            return webhookMode(WebhookMode.HOLD);
        }

        /** How long {@link FaultKind#TIMEOUT} holds an answer (default 90 s). */
        public Builder timeoutDelay(Duration delay) {
            this.timeoutDelay = Objects.requireNonNull(delay);
            return this;
        }

        /** How long one webhook delivery attempt may take (default 10 s). */
        public Builder webhookDeliveryTimeout(Duration timeout) {
            this.deliveryTimeout = Objects.requireNonNull(timeout);
            return this;
        }

        /** Accept only these keys (default: any {@code sk_test_...} and {@code pk_test_...}). */
        public Builder apiKeys(String secretKey, String publishableKey) {
            if (!secretKey.startsWith("sk_test_") || !publishableKey.startsWith("pk_test_")) {
                throw new IllegalArgumentException("Test keys only: sk_test_... and pk_test_...");
            }
            this.secretKey = secretKey;
            this.publishableKey = publishableKey;
            return this;
        }

        /** Registers a webhook endpoint at start (and again on reset), for the given events or all. */
        public Builder webhookEndpoint(String url, String secret, String... enabledEvents) {
            this.webhookUrl = Objects.requireNonNull(url);
            this.webhookSecret = Objects.requireNonNull(secret);
            this.webhookEvents = enabledEvents.length == 0 ? List.of("*") : List.of(enabledEvents);
            return this;
        }

        /** Starts the server. */
        public FakeStripe start() {
            Engine engine = new Engine(new EngineSettings(
                    host,
                    port,
                    clock,
                    apiVersion,
                    webhookMode,
                    timeoutDelay,
                    deliveryTimeout,
                    secretKey,
                    publishableKey,
                    webhookUrl,
                    webhookSecret,
                    webhookEvents));
            return new FakeStripe(
                    engine,
                    secretKey == null ? SECRET_KEY : secretKey,
                    publishableKey == null ? PUBLISHABLE_KEY : publishableKey);
        }
    }
}
