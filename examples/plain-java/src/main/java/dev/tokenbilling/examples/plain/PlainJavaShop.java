package dev.tokenbilling.examples.plain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.BasicAuthenticator;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tokenbilling.TokenBilling;
import dev.tokenbilling.embedded.EmbeddedDatabase;
import dev.tokenbilling.error.BillingException;
import dev.tokenbilling.error.InvalidRequestException;
import dev.tokenbilling.model.DefaultCatalog;
import dev.tokenbilling.model.LedgerEntry;
import dev.tokenbilling.model.PackageDefinition;
import dev.tokenbilling.model.PageRequest;
import dev.tokenbilling.model.Purchase;
import dev.tokenbilling.model.PurchaseIntent;
import dev.tokenbilling.model.TokenBalance;
import dev.tokenbilling.model.TokenPackage;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.service.TokenBillingService;
import dev.tokenbilling.stripe.StripeApi;
import dev.tokenbilling.stripe.StripeKeys;
import dev.tokenbilling.stripe.WebhookVerification;
import dev.tokenbilling.testkit.stripe.FakeStripe;
import dev.tokenbilling.webhook.WebhookOutcome;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * The token-pack backend of the billing page without a framework, in one file: {@link TokenBilling}
 * built by hand on PostgreSQL, the REST API the billing page calls and the Stripe webhook endpoint,
 * on the JDK's own HTTP server. Library errors become problem details in one switch on their
 * {@link dev.tokenbilling.error.BillingError} code ({@code problemOf}).
 *
 * <ul>
 *   <li>Database: {@code BILLING_DATABASE_URL} ({@code jdbc:postgresql://...} or
 *       {@code postgresql://user:pass@host:5432/db}), else the embedded PostgreSQL under {@code ~/.billing}.</li>
 *   <li>Stripe: {@code STRIPE_SECRET_KEY} and {@code STRIPE_WEBHOOK_SECRET} (and {@code STRIPE_API_BASE} for
 *       a FakeStripe started apart), else an embedded FakeStripe that sends its webhooks here.</li>
 *   <li>Users: HTTP Basic with the demo logins {@code alice/alice} and {@code bob/bob}.</li>
 * </ul>
 */
public final class PlainJavaShop implements AutoCloseable {

    static final String API = "/api/v1/billing";
    static final String WEBHOOK_PATH = API + "/webhooks/stripe/";
    /** Demo logins, user name to password. A real application asks its own user store. */
    static final Map<String, String> USERS = Map.of("alice", "alice", "bob", "bob");
    /** The library's default packs (Starter, Booster, Power), created on startup when missing. */
    static final List<PackageDefinition> CATALOG = DefaultCatalog.packages();
    /** What a {@code 5xx} answer says instead of the server's own words (Stripe's, the database's), which go to the log. */
    static final String PAYMENTS_UNAVAILABLE = "Payments are temporarily unavailable, please try again";

    static final String PAYMENT_NOT_STARTED = "The payment could not be started, please try again later";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PURCHASE = Pattern.compile("/purchases/(\\d{1,18})");

    private final Deque<AutoCloseable> resources;
    private final TokenBilling billing;
    private final TokenBillingService service;
    private final int maxWebhookBytes;
    private final FakeStripe fakeStripe;
    private final String databaseDescription;
    private final String stripeDescription;
    private HttpServer server;

    private PlainJavaShop(
            Deque<AutoCloseable> resources,
            TokenBilling billing,
            int maxWebhookBytes,
            FakeStripe fakeStripe,
            String databaseDescription,
            String stripeDescription) {
        this.resources = resources;
        this.billing = billing;
        this.service = billing.service();
        this.maxWebhookBytes = maxWebhookBytes;
        this.fakeStripe = fakeStripe;
        this.databaseDescription = databaseDescription;
        this.stripeDescription = stripeDescription;
    }

    /** {@code java -jar plain-java-shop.jar [--port 8080]}; stops on Ctrl-C. */
    public static void main(String[] args) {
        int port = args.length == 2 && args[0].equals("--port") ? Integer.parseInt(args[1]) : 8080;
        PlainJavaShop shop = start(port, System.getenv(), false);
        Runtime.getRuntime().addShutdownHook(new Thread(shop::close, "shutdown"));
        shop.printHowToTry();
    }

    /**
     * Starts everything; {@code port} 0 picks a free one. {@code env} holds the settings (the process
     * environment in {@link #main}); {@code temporaryDatabase} uses a throw-away embedded database.
     */
    public static PlainJavaShop start(int port, Map<String, String> env, boolean temporaryDatabase) {
        // Read when the first HttpServer is created: answer without Nagle's ~40 ms delay.
        System.setProperty("sun.net.httpserver.nodelay", "true");
        Deque<AutoCloseable> resources = new ArrayDeque<>();
        try {
            // 1. The database: the library migrates its own schema ("billing") on build().
            String url = env.get("BILLING_DATABASE_URL");
            DataSource dataSource;
            String databaseDescription;
            if (url == null || url.isBlank()) {
                EmbeddedDatabase db =
                        temporaryDatabase ? EmbeddedDatabase.startTemporary() : EmbeddedDatabase.startDefault();
                resources.push(db);
                dataSource = db.dataSource();
                databaseDescription = "embedded PostgreSQL "
                        + (temporaryDatabase ? "(temporary)" : "in " + EmbeddedDatabase.DEFAULT_DIRECTORY) + ", "
                        + db.jdbcUrl();
            } else {
                HikariDataSource pool = new HikariDataSource(hikari(url, env));
                resources.push(pool);
                dataSource = pool;
                databaseDescription = pool.getJdbcUrl();
            }

            // 2. Stripe: the real one with a key (STRIPE_SECRET_KEY, STRIPE_PUBLIC_KEY, STRIPE_API_BASE), else a
            // FakeStripe
            //    in this JVM. Webhooks are verified with STRIPE_WEBHOOK_SECRET, or a generated secret the FakeStripe
            // signs with.
            String secretKey = env.get("STRIPE_SECRET_KEY");
            StripeApi.Builder stripe;
            WebhookVerification.Builder webhooks = WebhookVerification.fromEnvironment(env);
            FakeStripe fake = null;
            if (secretKey == null || secretKey.isBlank()) {
                fake = FakeStripe.start();
                resources.push(fake);
                stripe = StripeApi.builder()
                        .secretKey(FakeStripe.SECRET_KEY)
                        .publishableKey(FakeStripe.PUBLISHABLE_KEY)
                        .apiBase(URI.create(fake.apiBase()));
                if (env.getOrDefault("STRIPE_WEBHOOK_SECRET", "").isBlank()) {
                    webhooks.secret("whsec_" + HexFormat.of().formatHex(new SecureRandom().generateSeed(16)));
                }
            } else {
                stripe = StripeApi.fromEnvironment(env).secretKey(secretKey.trim());
            }
            WebhookVerification verification = webhooks.build();
            TokenBilling billing = TokenBilling.builder()
                    .dataSource(dataSource)
                    .stripe(stripe.build())
                    .webhooks(verification)
                    .build();

            // 3. The catalog: the three packs, created when missing, then mirrored to Stripe (products and prices).
            for (PackageDefinition pack : CATALOG) {
                if (billing.service().catalog().findPackage(pack.slug()).isEmpty()) {
                    billing.service().catalog().savePackage(pack);
                }
            }
            billing.service().catalog().syncToStripe(false);

            // 4. The HTTP server: the REST API (users by HTTP Basic) and the webhook endpoint (no user: Stripe signs).
            String stripeDescription = fake != null
                    ? "embedded FakeStripe at " + fake.apiBase() + " (offline; its webhooks come here)"
                    : "STRIPE_SECRET_KEY " + StripeKeys.mask(secretKey.trim());
            PlainJavaShop shop = new PlainJavaShop(
                    resources, billing, verification.maxPayloadBytes(), fake, databaseDescription, stripeDescription);
            HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
            ExecutorService threads = Executors.newFixedThreadPool(8);
            server.setExecutor(threads);
            server.createContext(
                    API + "/packages",
                    exchange -> shop.answer(exchange, "Failed to load token packages", shop::packages));
            server.createContext(API + "/tokens", exchange -> shop.answer(exchange, titleOf(exchange), shop::tokens))
                    .setAuthenticator(new BasicAuthenticator("token-billing") {
                        @Override
                        public boolean checkCredentials(String user, String password) {
                            return password.equals(USERS.get(user));
                        }
                    });
            server.createContext(WEBHOOK_PATH, shop::webhook);
            server.start();
            shop.server = server;
            resources.push(threads::shutdownNow);
            resources.push(() -> server.stop(1));

            // 5. Tell the FakeStripe where to send the events, signed with the secret we verify with.
            if (fake != null) {
                fake.registerWebhookEndpoint(
                        "http://127.0.0.1:" + server.getAddress().getPort() + WEBHOOK_PATH,
                        verification.secrets().get(0));
            }
            return shop;
        } catch (IOException | RuntimeException e) {
            closeAll(resources);
            throw e instanceof RuntimeException runtime ? runtime : new IllegalStateException(e.getMessage(), e);
        }
    }

    // ---- the REST API ---------------------------------------------------------------------------

    /** {@code GET /packages/}: the packs on sale, in the API's shape (camelCase, price as a string). */
    private Object packages(HttpExchange exchange) {
        requireMethod(exchange, "GET");
        return service.catalog().packages().stream()
                .map(PlainJavaShop::packageJson)
                .toList();
    }

    /** Everything under {@code /tokens/}, for the signed-in user: purchase, balance, one purchase, history. */
    private Object tokens(HttpExchange exchange) throws IOException {
        UserId user = UserId.of(exchange.getPrincipal().getUsername());
        String path = withoutTrailingSlash(exchange.getRequestURI().getPath()).substring((API + "/tokens").length());
        Matcher purchase = PURCHASE.matcher(path);
        if (path.equals("/purchase")) {
            requireMethod(exchange, "POST");
            JsonNode body = readJson(exchange);
            String slug =
                    body.path("package_slug").asText(body.path("packageSlug").asText(""));
            if (slug.isBlank()) {
                throw new InvalidRequestException(
                        "package_slug", "is required, e.g. {\"package_slug\": \"booster-500k\"}");
            }
            PurchaseIntent intent = service.purchases().start(user, slug);
            return ordered(
                    "payment_intent_id",
                    intent.paymentIntentId(),
                    "client_secret",
                    intent.clientSecret(),
                    "amount",
                    intent.amountMajor(),
                    "token_amount",
                    intent.tokenAmount(),
                    "purchase_id",
                    intent.purchaseId());
        }
        requireMethod(exchange, "GET");
        if (path.equals("/balance")) {
            TokenBalance balance = service.ledger().balance(user);
            return ordered(
                    "balance",
                    balance.balance(),
                    "available",
                    balance.available(),
                    "totalPurchased",
                    balance.totalPurchased(),
                    "totalUsed",
                    balance.totalUsed());
        }
        if (purchase.matches()) {
            Purchase p = service.purchases()
                    .get(user, Long.parseLong(purchase.group(1))); // another user's: UNKNOWN_PURCHASE
            return ordered(
                    "id",
                    p.id(),
                    "status",
                    p.status().wireName(),
                    "packageSlug",
                    p.packageSlug(),
                    "tokenAmount",
                    p.tokenAmount(),
                    "amount",
                    p.amount().majorUnits(),
                    "failureMessage",
                    p.failureMessage().orElse(null));
        }
        if (path.equals("/transactions")) {
            return service.ledger().history(user, PageRequest.first(50)).items().stream()
                    .map(PlainJavaShop::entryJson)
                    .toList();
        }
        throw new HttpError(
                404,
                "not_found",
                "No such endpoint: " + exchange.getRequestMethod() + " "
                        + exchange.getRequestURI().getPath());
    }

    /** The API's message for each operation, the {@code title} of its errors. */
    private static String titleOf(HttpExchange exchange) {
        String path = exchange.getRequestURI().getPath();
        return path.contains("/purchase/") || path.endsWith("/purchase")
                ? "Failed to initiate purchase"
                : path.contains("/balance")
                        ? "Failed to load token balance"
                        : path.contains("/transactions")
                                ? "Failed to load token transactions"
                                : "Failed to load purchase";
    }

    // ---- the webhook endpoint -------------------------------------------------------------------

    /** {@code POST /webhooks/stripe/}: the raw bytes go to the library, which verifies the signature before parsing. */
    private void webhook(HttpExchange exchange) throws IOException {
        try {
            if (!exchange.getRequestMethod().equals("POST")) {
                send(exchange, 405, Map.of("detail", "POST only"));
                return;
            }
            // Read at most one byte past the limit: the library answers TOO_LARGE without us buffering a huge body.
            byte[] body = exchange.getRequestBody().readNBytes(maxWebhookBytes + 1);
            WebhookOutcome outcome =
                    billing.webhooks().handle(body, exchange.getRequestHeaders().getFirst("Stripe-Signature"));
            // 2xx: done (Stripe stops); 503: retry later; 400/413: not a valid event.
            send(
                    exchange,
                    outcome.httpStatus(),
                    ordered(
                            "status",
                            outcome.status().name().toLowerCase(Locale.ROOT),
                            "reason",
                            outcome.describe(),
                            "eventId",
                            outcome.eventId().orElse(null)));
        } finally {
            exchange.close();
        }
    }

    // ---- plumbing -------------------------------------------------------------------------------

    private interface Route {
        Object handle(HttpExchange exchange) throws IOException;
    }

    /** Runs a route and answers its result as JSON, or its failure as RFC 9457 problem details with a stable {@code code}. */
    private void answer(HttpExchange exchange, String title, Route route) throws IOException {
        try {
            send(exchange, 200, route.handle(exchange));
        } catch (RuntimeException e) {
            Problem problem = problemOf(e);
            if (problem.status() >= 500) {
                // The caller gets a plain message; the cause (Stripe's or the database's words) goes to the log.
                System.err.println(title + ": " + problem.status() + " " + problem.code() + ": " + e);
            }
            sendBytes(
                    exchange,
                    problem.status(),
                    "application/problem+json",
                    JSON.writeValueAsBytes(ordered(
                            "title",
                            title,
                            "status",
                            problem.status(),
                            "detail",
                            problem.detail(),
                            "code",
                            problem.code(),
                            "instance",
                            exchange.getRequestURI().getPath())));
        } finally {
            exchange.close();
        }
    }

    /** What a failure is answered with: the HTTP status, a stable {@code code} and the {@code detail}. */
    record Problem(int status, String code, String detail) {}

    /**
     * The answer to a failure. Library errors are mapped by their code in one switch, without a
     * default, so that a code the library adds does not compile until it is mapped; a {@code 4xx} says
     * the library's message, a {@code 5xx} a plain one.
     */
    static Problem problemOf(RuntimeException e) {
        if (e instanceof HttpError http) {
            return new Problem(http.status, http.code, e.getMessage());
        }
        if (!(e instanceof BillingException billing)) {
            return new Problem(500, "internal_error", "Unexpected server error; see the server log");
        }
        String code = billing.code().wireName();
        return switch (billing.code()) {
            case INVALID_REQUEST -> new Problem(400, code, e.getMessage());
            // Another user's purchase looks like one that does not exist.
            case UNKNOWN_PACKAGE, UNKNOWN_PURCHASE, UNKNOWN_RESERVATION, UNKNOWN_TIER, NO_SUBSCRIPTION ->
                new Problem(404, code, e.getMessage());
            case PACKAGE_INACTIVE,
                    RESERVATION_NOT_ACTIVE,
                    INSUFFICIENT_TOKENS,
                    IDEMPOTENCY_CONFLICT,
                    TIER_NOT_AVAILABLE,
                    ALREADY_SUBSCRIBED -> new Problem(409, code, e.getMessage());
            case SPEND_LIMIT_REACHED -> new Problem(429, code, e.getMessage());
            case TOO_MANY_OPEN_PURCHASES ->
                new Problem(429, code, "Too many purchases are still open; finish or cancel one first");
            case PACKAGE_NOT_SYNCED ->
                new Problem(503, code, "This package cannot be bought yet, please try again later");
            case PAYMENTS_NOT_CONFIGURED -> new Problem(503, code, "Payments are not available on this server");
            case PAYMENT_PROVIDER ->
                billing.retryable()
                        ? new Problem(503, "payment_provider_unavailable", PAYMENTS_UNAVAILABLE)
                        : new Problem(502, "payment_provider_error", PAYMENT_NOT_STARTED);
            case STORE_UNAVAILABLE ->
                new Problem(503, "database_unavailable", "The billing database is unavailable; try again shortly");
            case SCHEMA_NOT_MIGRATED, INVALID_CONFIGURATION ->
                new Problem(500, "billing_error", "The billing request failed, please try again later");
        };
    }

    /** A failure of this server's own routing and parsing, with its status and {@code code}. */
    private static final class HttpError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final int status;
        private final String code;

        HttpError(int status, String code, String message) {
            super(message);
            this.status = status;
            this.code = code;
        }
    }

    private static void requireMethod(HttpExchange exchange, String method) {
        if (!exchange.getRequestMethod().equals(method)) {
            throw new HttpError(405, "method_not_allowed", method + " only");
        }
    }

    private static JsonNode readJson(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readNBytes(64 * 1024);
        try {
            return body.length == 0 ? JSON.createObjectNode() : JSON.readTree(body);
        } catch (IOException e) {
            throw new HttpError(
                    400,
                    "invalid_request",
                    "The request body is not valid JSON; expected e.g. {\"package_slug\": \"booster-500k\"}");
        }
    }

    private static void send(HttpExchange exchange, int status, Object body) throws IOException {
        sendBytes(exchange, status, "application/json", JSON.writeValueAsBytes(body));
    }

    private static void sendBytes(HttpExchange exchange, int status, String type, byte[] bytes) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private static Map<String, Object> packageJson(TokenPackage p) {
        return ordered(
                "id",
                p.id(),
                "slug",
                p.slug(),
                "name",
                p.name(),
                "packageType",
                p.packageType(),
                "tokenAmount",
                p.tokenAmount(),
                "price",
                p.price().majorUnits().toPlainString(),
                "currency",
                p.price().currency().getCurrencyCode(),
                "pricePerMillionTokens",
                p.pricePerMillionTokens().toPlainString(),
                "description",
                p.description(),
                "isActive",
                p.active(),
                "stripePriceId",
                p.stripePriceId().orElse(null));
    }

    private static Map<String, Object> entryJson(LedgerEntry e) {
        return ordered(
                "id",
                e.id(),
                "kind",
                e.kind().wireName(),
                "amount",
                e.amount(),
                "balanceAfter",
                e.balanceAfter(),
                "purchaseId",
                e.purchaseId().orElse(null),
                "description",
                e.description(),
                "createdAt",
                e.createdAt().toString());
    }

    /** A JSON object with its keys in the given order (null values allowed, unlike {@link Map#of}). */
    private static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    private static String withoutTrailingSlash(String path) {
        return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    /** {@code jdbc:postgresql://...} as is; {@code postgresql://user:pass@host:port/db} turned into one. */
    private static HikariConfig hikari(String url, Map<String, String> env) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("plain-java-shop");
        if (url.startsWith("jdbc:")) {
            config.setJdbcUrl(url);
        } else {
            URI uri = URI.create(url);
            config.setJdbcUrl("jdbc:postgresql://" + uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "")
                    + uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()));
            if (uri.getRawUserInfo() != null) {
                String[] userAndPassword = uri.getRawUserInfo().split(":", 2);
                config.setUsername(URLDecoder.decode(userAndPassword[0], StandardCharsets.UTF_8));
                if (userAndPassword.length == 2) {
                    config.setPassword(URLDecoder.decode(userAndPassword[1], StandardCharsets.UTF_8));
                }
            }
        }
        Optional.ofNullable(env.get("BILLING_DATABASE_USER")).ifPresent(config::setUsername);
        Optional.ofNullable(env.get("BILLING_DATABASE_PASSWORD")).ifPresent(config::setPassword);
        return config;
    }

    // ---- lifecycle ------------------------------------------------------------------------------

    /** The port the server listens on. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** The library, for code that debits usage ({@code billing.service().ledger().debit(...)}). */
    public TokenBilling billing() {
        return billing;
    }

    /** The embedded FakeStripe, when no {@code STRIPE_SECRET_KEY} was given. */
    public Optional<FakeStripe> fakeStripe() {
        return Optional.ofNullable(fakeStripe);
    }

    void printHowToTry() {
        String base = "http://localhost:" + port();
        System.out.println(
                """

                Token Billing (plain Java) listening on %1$s
                  database: %2$s
                  Stripe:   %3$s
                  webhook:  POST %1$s%4$s
                  logins:   alice/alice, bob/bob (HTTP Basic)

                Try it:
                  curl -s %1$s%5$s/packages/
                  curl -s -u alice:alice -H 'Content-Type: application/json' -d '{"package_slug": "booster-500k"}' %1$s%5$s/tokens/purchase/
                %6$s
                  curl -s -u alice:alice %1$s%5$s/tokens/balance/
                  curl -s -u alice:alice %1$s%5$s/tokens/transactions/
                Press Ctrl-C to stop.
                """.formatted(
                        base,
                        databaseDescription,
                        stripeDescription,
                        WEBHOOK_PATH,
                        API,
                        fakeStripe == null
                                ? "  # pay on your page with Stripe.js, or: stripe payment_intents confirm PI_ID --payment-method pm_card_visa\n"
                                        + "  # and forward webhooks: stripe listen --forward-to localhost:" + port()
                                        + WEBHOOK_PATH
                                : "  # pay it as Stripe.js would: the publishable key, the client_secret from the answer and a test card\n"
                                        + "  curl -s -u " + FakeStripe.PUBLISHABLE_KEY + ": " + fakeStripe.apiBase()
                                        + "/v1/payment_intents/PI_ID/confirm -d payment_method=pm_card_visa -d client_secret=CLIENT_SECRET"));
    }

    @Override
    public void close() {
        closeAll(resources);
    }

    private static void closeAll(Deque<AutoCloseable> resources) {
        while (!resources.isEmpty()) {
            try {
                resources.pop().close();
            } catch (Exception e) {
                System.err.println("while stopping: " + e);
            }
        }
    }
}
