package dev.tokenbilling.it;

import com.stripe.StripeClient;
import com.stripe.exception.CardException;
import com.stripe.exception.StripeException;
import com.stripe.model.PaymentIntent;
import com.stripe.param.PaymentIntentConfirmParams;
import com.sun.net.httpserver.HttpServer;
import dev.tokenbilling.TokenBilling;
import dev.tokenbilling.model.Purchase;
import dev.tokenbilling.model.PurchaseIntent;
import dev.tokenbilling.model.TokenBalance;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.stripe.StripeApi;
import dev.tokenbilling.stripe.WebhookVerification;
import dev.tokenbilling.support.BillingFixture;
import dev.tokenbilling.testkit.stripe.FakeStripe;
import dev.tokenbilling.webhook.WebhookOutcome;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A token shop as a host app runs it: the library on a fresh schema of a real PostgreSQL, talking to
 * FakeStripe through stripe-java, and a webhook endpoint on the JDK HTTP server that hands Stripe's
 * raw deliveries to the webhook processor. {@link #pay} confirms a PaymentIntent the way the
 * buyer's browser does; {@link #purchase} looks a purchase up as its buyer, the way the host's
 * "my purchases" page does.
 */
final class Shop implements AutoCloseable {

    static final String WEBHOOK_SECRET = "whsec_integration_tests_0123456789";

    final FakeStripe stripe;
    final BillingFixture fixture;
    final TokenBilling billing;
    final List<WebhookOutcome> outcomes = new CopyOnWriteArrayList<>();
    /** Who started each purchase: purchases are looked up by their buyer. */
    private final Map<Long, UserId> buyers = new ConcurrentHashMap<>();

    private final HttpServer endpoint;
    private final StripeClient buyer;

    private Shop(FakeStripe stripe, BillingFixture fixture, HttpServer endpoint) {
        this.stripe = stripe;
        this.fixture = fixture;
        this.billing = fixture.billing;
        this.endpoint = endpoint;
        this.buyer = StripeClient.builder()
                .setApiKey(stripe.secretKey())
                .setApiBase(stripe.apiBase())
                .build();
    }

    static Shop open(Class<?> testClass) {
        return open(testClass, builder -> {});
    }

    static Shop open(Class<?> testClass, Consumer<TokenBilling.Builder> settings) {
        return open(testClass, java.time.Clock.systemUTC(), settings);
    }

    /**
     * A shop whose library and FakeStripe both live on {@code clock}: a test that moves Stripe's test
     * clocks moves this one along, so that signatures, lots and expiries agree with Stripe's time.
     */
    static Shop open(Class<?> testClass, java.time.Clock clock, Consumer<TokenBilling.Builder> settings) {
        FakeStripe stripe = FakeStripe.builder().clock(clock).start();
        HttpServer endpoint = startEndpoint();
        BillingFixture fixture = BillingFixture.create(testClass, builder -> {
            builder.clock(clock);
            builder.stripe(StripeApi.builder()
                    .secretKey(stripe.secretKey())
                    .apiBase(java.net.URI.create(stripe.apiBase()))
                    .maxNetworkRetries(0)
                    .readTimeout(Duration.ofSeconds(2))
                    .build());
            builder.webhooks(
                    WebhookVerification.builder().secret(WEBHOOK_SECRET).build());
            settings.accept(builder);
        });
        Shop shop = new Shop(stripe, fixture, endpoint);
        endpoint.createContext("/stripe/webhook", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            WebhookOutcome outcome = shop.billing
                    .webhooks()
                    .handle(body, exchange.getRequestHeaders().getFirst("Stripe-Signature"));
            shop.outcomes.add(outcome);
            byte[] answer = outcome.describe().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(outcome.httpStatus(), answer.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        });
        endpoint.start();
        stripe.registerWebhookEndpoint(
                "http://127.0.0.1:" + endpoint.getAddress().getPort() + "/stripe/webhook", WEBHOOK_SECRET);
        fixture.seed();
        fixture.service.catalog().syncToStripe(false);
        return shop;
    }

    private static HttpServer startEndpoint() {
        try {
            return HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    PurchaseIntent buy(String user, String slug) {
        PurchaseIntent intent = billing.service().purchases().start(UserId.of(user), slug);
        buyers.put(intent.purchaseId(), UserId.of(user));
        return intent;
    }

    /** The purchase as its buyer sees it now. */
    Purchase purchase(PurchaseIntent intent) {
        UserId buyer = buyers.get(intent.purchaseId());
        if (buyer == null) {
            throw new IllegalArgumentException(
                    "purchase " + intent.purchaseId() + " was not started through this shop");
        }
        return billing.service().purchases().get(buyer, intent.purchaseId());
    }

    /** Confirms the purchase's PaymentIntent with a test payment method; empty on success, the decline code otherwise. */
    Optional<String> pay(PurchaseIntent intent, String paymentMethod) {
        try {
            buyer.v1()
                    .paymentIntents()
                    .confirm(
                            intent.paymentIntentId(),
                            PaymentIntentConfirmParams.builder()
                                    .setPaymentMethod(paymentMethod)
                                    .build());
            return Optional.empty();
        } catch (CardException e) {
            return Optional.of(e.getDeclineCode() != null ? e.getDeclineCode() : e.getCode());
        } catch (StripeException e) {
            throw new IllegalStateException("confirm failed: " + e.getMessage(), e);
        }
    }

    /** Pays with card details, as a card form would (number, expiry, CVC). */
    Optional<String> payWithCard(PurchaseIntent intent, String number) {
        try {
            var method = buyer.v1()
                    .paymentMethods()
                    .create(com.stripe.param.PaymentMethodCreateParams.builder()
                            .setType(com.stripe.param.PaymentMethodCreateParams.Type.CARD)
                            .setCard(com.stripe.param.PaymentMethodCreateParams.CardDetails.builder()
                                    .setNumber(number)
                                    .setExpMonth(12L)
                                    .setExpYear(2034L)
                                    .setCvc("123")
                                    .build())
                            .build());
            return pay(intent, method.getId());
        } catch (StripeException e) {
            throw new IllegalStateException("payment method refused: " + e.getMessage(), e);
        }
    }

    PaymentIntent paymentIntent(String id) {
        try {
            return buyer.v1().paymentIntents().retrieve(id);
        } catch (StripeException e) {
            throw new IllegalStateException(e);
        }
    }

    StripeClient stripeClient() {
        return buyer;
    }

    void settle() {
        stripe.awaitWebhooks(Duration.ofSeconds(10));
    }

    TokenBalance balance(String user) {
        return billing.service().ledger().balance(UserId.of(user));
    }

    @Override
    public void close() {
        endpoint.stop(0);
        stripe.close();
    }
}
