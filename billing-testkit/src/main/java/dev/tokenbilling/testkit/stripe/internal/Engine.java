package dev.tokenbilling.testkit.stripe.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import dev.tokenbilling.testkit.stripe.DeliveryFailure;
import dev.tokenbilling.testkit.stripe.DeliveryOrder;
import dev.tokenbilling.testkit.stripe.FaultKind;
import dev.tokenbilling.testkit.stripe.WebhookDelivery;
import dev.tokenbilling.testkit.stripe.WebhookEndpoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Wires FakeStripe together (state, APIs, router, HTTP server) and carries out the test helpers the
 * public {@code FakeStripe} and the {@code /_testkit} control endpoints offer. Helpers run under the
 * state lock; webhooks they cause in SYNC mode are sent after it is released.
 */
public final class Engine implements AutoCloseable {
    static {
        // The JDK server writes headers and body in two packets; with Nagle's algorithm on, each answer
        // then waits for the client's delayed ACK (about 40 ms). Read once, when the JDK's server
        // configuration loads; an explicit setting wins.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private final EngineSettings settings;
    private final FakeStripeState state;
    private final Router router = new Router();
    private final ApiKeyAuth auth = new ApiKeyAuth();
    private final IdempotencyCache idempotency = new IdempotencyCache();
    private final FaultInjector faults = new FaultInjector();
    private final RequestLog requestLog = new RequestLog();
    private final ControlApi control;
    private final Payments payments;
    private final CardSetups setups;
    private final Disputes disputes;
    private final RefundsApi refunds;
    private final SubscriptionsApi subscriptions;
    private final CheckoutSessionsApi checkout;
    private final Renewals renewals;
    private final HostedPages pages;
    private final WebhookEndpointsApi webhookEndpoints;
    private final HttpServer server;
    private final ExecutorService executor;
    private volatile Duration timeoutDelay;
    private volatile boolean closed;

    /** Builds and starts the server. */
    public Engine(EngineSettings settings) {
        this.settings = settings;
        this.timeoutDelay = settings.timeoutDelay();
        // The dispatcher needs the state (to update pending_webhooks) and the state the dispatcher.
        FakeStripeState[] holder = new FakeStripeState[1];
        WebhookDispatcher dispatcher = new WebhookDispatcher(
                settings.webhookMode(),
                new WebhookSender(settings.deliveryTimeout()),
                settings.clock(),
                (eventId, pending) -> holder[0].locked(() -> {
                    ObjectNode event = holder[0].store().find("event", eventId);
                    if (event != null) {
                        event.put("pending_webhooks", pending);
                    }
                }));
        this.state = new FakeStripeState(settings.clock(), dispatcher, settings.apiVersion());
        holder[0] = state;
        auth.require(settings.secretKey(), settings.publishableKey());

        BalanceTransactions balance = new BalanceTransactions(state);
        this.disputes = new Disputes(state, balance);
        PaymentMethodsApi paymentMethods = new PaymentMethodsApi(state);
        this.payments = new Payments(state, balance, disputes, paymentMethods);
        ProductsApi products = new ProductsApi(state);
        PricesApi prices = new PricesApi(state, products);
        products.setPrices(prices);
        this.webhookEndpoints = new WebhookEndpointsApi(state);
        products.register(router);
        prices.register(router);
        CustomersApi customers = new CustomersApi(state, paymentMethods);
        customers.register(router);
        paymentMethods.register(router);
        new PaymentIntentsApi(state, paymentMethods, payments).register(router);
        this.setups = new CardSetups(state, paymentMethods);
        new SetupIntentsApi(state, paymentMethods, setups).register(router);
        Invoices invoices = new Invoices(state, payments, paymentMethods);
        this.subscriptions = new SubscriptionsApi(state, invoices, paymentMethods);
        subscriptions.register(router);
        customers.setSubscriptions(subscriptions);
        new InvoicesApi(state, invoices).register(router);
        this.renewals = new Renewals(state, invoices);
        new TestClocksApi(state, renewals).register(router);
        this.checkout = new CheckoutSessionsApi(state, paymentMethods, payments, subscriptions);
        checkout.register(router);
        new BillingPortalApi(state).register(router);
        new ChargesApi(state).register(router);
        this.refunds = new RefundsApi(state, balance, disputes);
        refunds.register(router);
        disputes.register(router);
        balance.register(router);
        webhookEndpoints.register(router);
        new EventsApi(state).register(router);
        this.control = new ControlApi(this);
        this.pages = new HostedPages(this, checkout, subscriptions);

        registerStartupEndpoint();
        AtomicInteger threads = new AtomicInteger();
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fake-stripe-http-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try {
            InetAddress address =
                    settings.host() == null ? InetAddress.getLoopbackAddress() : InetAddress.getByName(settings.host());
            this.server = HttpServer.create(new InetSocketAddress(address, settings.port()), 128);
        } catch (IOException e) {
            executor.shutdownNow();
            dispatcher.close();
            throw new UncheckedIOException("FakeStripe could not listen on port " + settings.port(), e);
        }
        server.createContext("/", new HttpFront(this));
        server.setExecutor(executor);
        server.start();
        String host = server.getAddress().getAddress().getHostAddress();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        state.setApiBase("http://" + host + ":" + server.getAddress().getPort());
    }

    private void registerStartupEndpoint() {
        if (settings.webhookUrl() != null) {
            state.locked(() -> webhookEndpoints.register(
                    "we_startup" + Ids.random(14),
                    settings.webhookUrl(),
                    settings.webhookSecret(),
                    settings.webhookEvents()));
        }
    }

    /** Runs a helper under the lock, then sends the webhooks it caused in SYNC mode. */
    public <T> T helper(Supplier<T> body) {
        try {
            return state.locked(body);
        } finally {
            state.webhooks().flushCurrentThread();
        }
    }

    /** The state. */
    public FakeStripeState state() {
        return state;
    }

    /** The router. */
    public Router router() {
        return router;
    }

    /** The key checker. */
    public ApiKeyAuth auth() {
        return auth;
    }

    /** The idempotency cache. */
    public IdempotencyCache idempotency() {
        return idempotency;
    }

    /** Injected faults. */
    public FaultInjector faults() {
        return faults;
    }

    /** The request log. */
    public RequestLog requestLog() {
        return requestLog;
    }

    /** The control endpoints. */
    public ControlApi control() {
        return control;
    }

    /** How long the TIMEOUT fault holds answers. */
    public Duration timeoutDelay() {
        return timeoutDelay;
    }

    /** Sets how long the TIMEOUT fault holds answers. */
    public void setTimeoutDelay(Duration delay) {
        this.timeoutDelay = delay;
    }

    /** The port. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** The Checkout and portal pages. */
    public HostedPages pages() {
        return pages;
    }

    /** See {@code FakeStripe.runDueRenewals}. */
    public void runDueRenewals() {
        helper(() -> {
            renewals.runUntil(null, state.now());
            return null;
        });
    }

    /** See {@code FakeStripe.completeCheckout}. */
    public ObjectNode completeCheckout(String sessionId, String card, String email) {
        try {
            return helper(() -> checkout.complete(sessionId, card, email).deepCopy());
        } catch (StripeApiError e) {
            String message = "Checkout Session " + sessionId + " was not paid: " + e.code() + ": " + e.getMessage();
            throw e.status() == 402 ? new IllegalStateException(message, e) : new IllegalArgumentException(message, e);
        }
    }

    /** See {@code FakeStripe.authenticate}: a PaymentIntent's or a SetupIntent's ({@code seti_...}). */
    public ObjectNode authenticate(String intentId, boolean succeed) {
        if (intentId.startsWith("seti_")) {
            return helper(() -> setups.authenticate(intentId, succeed).deepCopy());
        }
        return helper(() -> payments.authenticate(intentId, succeed).deepCopy());
    }

    /** See {@code FakeStripe.completeProcessing}. */
    public ObjectNode completeProcessing(String paymentIntentId, boolean succeed) {
        return helper(
                () -> payments.completeProcessing(paymentIntentId, succeed).deepCopy());
    }

    /** See {@code FakeStripe.openDispute}. */
    public ObjectNode openDispute(String chargeOrPaymentIntentId, String reason, Long amount) {
        return helper(
                () -> disputes.open(chargeOrPaymentIntentId, reason, amount).deepCopy());
    }

    /** See {@code FakeStripe.winDispute}/{@code loseDispute}. */
    public ObjectNode closeDispute(String disputeId, boolean won) {
        return helper(() -> disputes.close(disputeId, won).deepCopy());
    }

    /** See {@code FakeStripe.failRefund}. */
    public ObjectNode failRefund(String refundId) {
        return helper(() -> refunds.fail(refundId).deepCopy());
    }

    /** Registers an endpoint from code. */
    public WebhookEndpoint registerWebhookEndpoint(String url, String secret, List<String> events) {
        return helper(() -> {
            String id = webhookEndpoints
                    .register(Ids.newId("we"), url, secret, events)
                    .get("id")
                    .asText();
            return new WebhookEndpoint(id, url, secret, List.copyOf(events));
        });
    }

    /** Sends held webhooks. */
    public List<WebhookDelivery> deliverHeld(DeliveryOrder order, int times, long seed) {
        return state.webhooks().deliverHeld(order, times, seed);
    }

    /** Retries failed webhooks. */
    public List<WebhookDelivery> retryFailed() {
        return state.webhooks().retryFailed();
    }

    /** Fails the next webhook deliveries. */
    public void failNextDeliveries(int n, DeliveryFailure failure) {
        state.webhooks().failNext(n, failure);
    }

    /** Fails the next API requests under a path. */
    public void failNext(String pathPrefix, int n, FaultKind kind) {
        faults.add(pathPrefix, n, kind);
    }

    /** Back to the state just after start. */
    public void reset() {
        state.locked(() -> {
            state.clear();
            idempotency.clear();
            faults.clear();
            requestLog.clear();
            state.webhooks().reset();
            state.webhooks().setMode(settings.webhookMode());
            state.webhooks().setDeliveryTimeout(settings.deliveryTimeout());
            state.setApiVersion(settings.apiVersion());
            state.setAsyncCardPayments(false);
            timeoutDelay = settings.timeoutDelay();
            registerStartupEndpoint();
        });
    }

    /** The startup webhook endpoint, or null. */
    public WebhookEndpoint startupEndpoint() {
        return state.webhooks().endpoints().stream()
                .filter(e -> e.id().startsWith("we_startup"))
                .findFirst()
                .orElse(null);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        server.stop(0);
        executor.shutdownNow();
        state.webhooks().close();
    }
}
