package dev.tokenbilling.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tokenbilling.TokenBilling;
import dev.tokenbilling.cli.support.Cli;
import dev.tokenbilling.cli.support.Cli.Result;
import dev.tokenbilling.model.BillingInterval;
import dev.tokenbilling.model.Subscription;
import dev.tokenbilling.model.SubscriptionStatus;
import dev.tokenbilling.model.SubscriptionTier;
import dev.tokenbilling.model.UserId;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code billing subscriptions} and the subscriptions part of {@code billing retry}. The subscriptions are
 * stored through the library as its webhooks would store them. FakeStripe has no subscriptions or invoices,
 * so the retry tests answer Stripe's two requests the reconciler makes (retrieve a subscription, list its
 * paid invoices) from a small stub with Stripe's JSON. Each test has a migrated, seeded schema of its own.
 */
class SubscriptionCommandsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);

    private final Cli cli = Cli.forClass(SubscriptionCommandsTest.class);
    private TokenBilling library;
    private SubscriptionTier plus;
    private SubscriptionTier pro;
    private StripeStub stripe;

    @BeforeEach
    void seed() {
        cli.migrated().runOk("seed");
        library = cli.library(null);
        plus = synced("plus");
        pro = synced("pro");
    }

    @AfterEach
    void stop() {
        if (stripe != null) {
            stripe.close();
        }
    }

    @Test
    void shouldListSubscriptionsSoonestPeriodEndFirstAndFilterByStatus() {
        store("alice", "sub_alice", plus, SubscriptionStatus.ACTIVE, Duration.ofDays(20), false);
        store("bob", "sub_bob", pro, SubscriptionStatus.PAST_DUE, Duration.ofDays(5), false);
        store("carol", "sub_carol", plus, SubscriptionStatus.ACTIVE, Duration.ofDays(10), true);

        Result all = cli.run("subscriptions");
        Result pastDue = cli.run("subscriptions", "--status", "past_due");
        Result limited = cli.run("subscriptions", "--limit", "1");
        Result none = cli.run("subscriptions", "--status", "unpaid");

        assertThat(all.exitCode()).as(all.toString()).isZero();
        assertThat(all.lines().get(0))
                .containsPattern("USER\\s+SUBSCRIPTION\\s+TIER\\s+INTERVAL\\s+STATUS\\s+PERIOD END\\s+CANCEL AT END");
        assertThat(all.lines()).hasSize(4);
        assertThat(all.lines().get(1))
                .containsPattern("^bob\\s+sub_bob\\s+pro\\s+month\\s+past_due\\s+\\d{4}-.*\\sno$");
        assertThat(all.lines().get(2)).containsPattern("^carol\\s+sub_carol\\s+plus\\s+month\\s+active\\s+.*\\syes$");
        assertThat(all.lines().get(3)).startsWith("alice");
        assertThat(pastDue.lines()).hasSize(2);
        assertThat(pastDue.lines().get(1)).startsWith("bob");
        assertThat(limited.lines()).hasSize(2);
        assertThat(none.out()).contains("No subscriptions match.");
    }

    @Test
    void shouldListAUsersSubscriptionsEndedOnesIncluded() {
        store("dave", "sub_dave_old", plus, SubscriptionStatus.CANCELED, Duration.ofDays(-30), false);
        store("dave", "sub_dave", pro, SubscriptionStatus.ACTIVE, Duration.ofDays(25), false);
        store("erin", "sub_erin", plus, SubscriptionStatus.ACTIVE, Duration.ofDays(3), false);

        Result dave = cli.run("subscriptions", "--user", "dave");
        Result canceled = cli.run("subscriptions", "--user", "dave", "--status", "canceled");
        Result nobody = cli.run("subscriptions", "--user", "frank");

        assertThat(dave.exitCode()).as(dave.toString()).isZero();
        assertThat(dave.lines()).hasSize(3);
        assertThat(dave.lines().get(1)).containsPattern("^dave\\s+sub_dave\\s+pro\\s+month\\s+active");
        assertThat(dave.lines().get(2)).containsPattern("^dave\\s+sub_dave_old\\s+plus\\s+month\\s+canceled");
        assertThat(dave.out()).doesNotContain("erin");
        assertThat(canceled.lines()).hasSize(2);
        assertThat(canceled.lines().get(1)).contains("sub_dave_old");
        assertThat(nobody.out()).contains("No subscriptions match.");
    }

    @Test
    void shouldGiveStableJsonAndCsvFieldsForSubscriptions() throws Exception {
        store("alice", "sub_alice", plus, SubscriptionStatus.ACTIVE, Duration.ofDays(20), true);

        JsonNode json = JSON.readTree(cli.run("subscriptions", "-o", "json").out());
        Result csv = cli.run("subscriptions", "-o", "csv");

        assertThat(json).hasSize(1);
        assertThat(json.get(0).fieldNames())
                .toIterable()
                .containsExactly(
                        "userId",
                        "stripeSubscriptionId",
                        "tierSlug",
                        "interval",
                        "status",
                        "currentPeriodEnd",
                        "cancelAtPeriodEnd",
                        "stripeCustomerId",
                        "tierId",
                        "currentPeriodStart",
                        "canceledAt",
                        "endedAt",
                        "stripeChangedAt",
                        "createdAt",
                        "updatedAt");
        assertThat(json.get(0).get("status").asText()).isEqualTo("active");
        assertThat(json.get(0).get("interval").asText()).isEqualTo("month");
        assertThat(json.get(0).get("cancelAtPeriodEnd").asBoolean()).isTrue();
        assertThat(json.get(0).get("currentPeriodEnd").asText())
                .isEqualTo(NOW.plus(Duration.ofDays(20)).toString());
        assertThat(json.get(0).get("stripeCustomerId").asText()).isEqualTo("cus_alice");
        assertThat(csv.lines().get(0))
                .isEqualTo("userId,stripeSubscriptionId,tierSlug,interval,status,currentPeriodEnd,cancelAtPeriodEnd,"
                        + "stripeCustomerId,tierId,currentPeriodStart,canceledAt,endedAt,stripeChangedAt,createdAt,"
                        + "updatedAt");
        assertThat(csv.lines().get(1)).startsWith("alice,sub_alice,plus,month,active,");
    }

    @Test
    void shouldRefuseAnUnknownStatusListingTheAcceptedOnes() {
        Result result = cli.run("subscriptions", "--status", "overdue");
        Result limit = cli.run("subscriptions", "--limit", "0");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err())
                .contains("unknown subscription status 'overdue'; expected one of incomplete, incomplete_expired,"
                        + " trialing, active, past_due, canceled, unpaid, paused")
                .doesNotContain("Exception");
        assertThat(limit.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(limit.err()).contains("--limit must be between 1 and 10000, was 0");
    }

    @Test
    void shouldListTheSubscriptionsARetryWouldCompareOnADryRun() throws Exception {
        store("bob", "sub_bob", pro, SubscriptionStatus.PAST_DUE, Duration.ofDays(5), false);

        Result dryRun = cli.run("retry", "--dry-run");
        JsonNode json =
                JSON.readTree(cli.run("retry", "--dry-run", "-o", "json").out());

        assertThat(dryRun.exitCode()).as(dryRun.toString()).isZero();
        assertThat(dryRun.out())
                .contains("Subscriptions that would be compared with Stripe")
                .containsPattern("bob\\s+sub_bob\\s+pro\\s+month\\s+past_due")
                .contains("Dry run: 0 purchases and 0 events would be retried and 1 subscription compared with Stripe;"
                        + " nothing changed.");
        assertThat(json.get("subscriptions").get(0).get("stripeSubscriptionId").asText())
                .isEqualTo("sub_bob");
    }

    @Test
    void shouldRepairASubscriptionWhoseEventsNeverArrivedOnRetry() throws Exception {
        store("bob", "sub_bob", pro, SubscriptionStatus.PAST_DUE, Duration.ofDays(-1), false);
        store("alice", "sub_alice", plus, SubscriptionStatus.ACTIVE, Duration.ofDays(20), false);
        Instant start = NOW.minus(Duration.ofHours(1));
        Instant end = start.plus(Duration.ofDays(30));
        stripe = new StripeStub();
        stripe.subscription("sub_bob", subscription("sub_bob", "bob", pro, "active", start, end));
        stripe.invoice("sub_bob", invoice("in_bob", "sub_bob", "bob", pro, start, end));
        stripe.subscription(
                "sub_alice",
                subscription(
                        "sub_alice",
                        "alice",
                        plus,
                        "active",
                        NOW.minus(Duration.ofDays(10)),
                        NOW.plus(Duration.ofDays(20))));
        Cli withStripe = cli.copy().stripe(stripe.apiBase(), "sk_test_stub_1234567890");

        Result result = withStripe.run("retry");
        Result again = withStripe.run("retry", "-o", "json");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out())
                .contains("Subscriptions compared with Stripe:")
                .containsPattern("  🔧 Repaired sub_bob \\(user bob\\): past_due → active; granted .*")
                .doesNotContain("sub_alice")
                .contains("Compared 2 subscriptions with Stripe: 1 repaired, 1 unchanged, 0 errors.");
        assertThat(cli.run("subscriptions", "--user", "bob").out())
                .containsPattern("sub_bob\\s+pro\\s+month\\s+active");
        assertThat(cli.run("balance", "bob", "-o", "json").out()).contains("\"balance\": 2000000");
        assertThat(again.exitCode()).as(again.toString()).isZero();
        JsonNode json = JSON.readTree(again.out());
        assertThat(json.get("subscriptions")).hasSize(2);
        assertThat(json.get("subscriptions").get(0).fieldNames())
                .toIterable()
                .containsExactly("userId", "stripeSubscriptionId", "before", "after", "repaired", "granted", "error");
        assertThat(json.get("subscriptions").findValues("repaired"))
                .extracting(JsonNode::asBoolean)
                .containsOnly(false); // the allowance is granted once: a second retry finds it granted
        assertThat(json.get("summary").get("subscriptionsChecked").asInt()).isEqualTo(2);
        assertThat(json.get("summary").get("subscriptionsRepaired").asInt()).isZero();
        assertThat(cli.run("balance", "bob", "-o", "json").out()).contains("\"balance\": 2000000");
    }

    @Test
    void shouldReportASubscriptionCheckThatFailedAndExitWith1() throws Exception {
        store("carol", "sub_carol", plus, SubscriptionStatus.ACTIVE, Duration.ofDays(5), false);
        stripe = new StripeStub(); // knows no subscription: Stripe answers 404
        Cli withStripe = cli.copy().stripe(stripe.apiBase(), "sk_test_stub_1234567890");

        Result result = withStripe.run("retry");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.FAILED);
        assertThat(result.out())
                .containsPattern("  ❌ sub_carol \\(user carol\\): Stripe: .*No such subscription")
                .contains("Compared 1 subscription with Stripe: 0 repaired, 0 unchanged, 1 error.");
        assertThat(result.err()).contains("1 subscription check failed");
    }

    /** Records the Stripe product and monthly price that sell the tier, as a sync would. */
    private SubscriptionTier synced(String slug) {
        SubscriptionTier tier = library.service().catalog().findTier(slug).orElseThrow();
        return library.store()
                .tiers()
                .updateStripeIds(
                        tier.id(),
                        Optional.of("prod_" + slug),
                        Optional.of("price_" + slug + "_month"),
                        Optional.of("price_" + slug + "_year"),
                        NOW);
    }

    private void store(
            String user,
            String id,
            SubscriptionTier tier,
            SubscriptionStatus status,
            Duration endsIn,
            boolean cancelAtPeriodEnd) {
        Instant end = NOW.plus(endsIn);
        Instant changed = NOW.minus(Duration.ofHours(1));
        library.store()
                .subscriptions()
                .save(new Subscription(
                        UserId.of(user),
                        id,
                        Optional.of("cus_" + user),
                        tier.id(),
                        tier.slug(),
                        BillingInterval.MONTH,
                        status,
                        Optional.of(end.minus(Duration.ofDays(30))),
                        Optional.of(end),
                        cancelAtPeriodEnd,
                        Optional.empty(),
                        status.ended() ? Optional.of(end) : Optional.empty(),
                        changed,
                        changed,
                        changed));
    }

    private static String subscription(
            String id, String user, SubscriptionTier tier, String status, Instant start, Instant end) {
        return """
                {"id":"%s","object":"subscription","customer":"cus_%s","status":"%s","cancel_at_period_end":false,
                 "canceled_at":null,"ended_at":null,"metadata":{"user_id":"%s"},
                 "items":{"object":"list","data":[{"id":"si_%s","object":"subscription_item",
                   "current_period_start":%d,"current_period_end":%d,
                   "price":{"id":"%s","object":"price","product":"%s","type":"recurring",
                            "recurring":{"interval":"month","interval_count":1}}}]}}
                """.formatted(
                        id,
                        user,
                        status,
                        user,
                        id,
                        start.getEpochSecond(),
                        end.getEpochSecond(),
                        tier.stripeMonthlyPriceId().orElseThrow(),
                        tier.stripeProductId().orElseThrow());
    }

    private static String invoice(
            String id, String sub, String user, SubscriptionTier tier, Instant start, Instant end) {
        return """
                {"id":"%s","object":"invoice","status":"paid","billing_reason":"subscription_cycle","customer":"cus_%s",
                 "amount_paid":%d,"currency":"usd",
                 "parent":{"type":"subscription_details",
                           "subscription_details":{"subscription":"%s","metadata":{"user_id":"%s"}}},
                 "lines":{"object":"list","data":[{"id":"il_%s","object":"line_item",
                   "period":{"start":%d,"end":%d},
                   "parent":{"type":"subscription_item_details",
                             "subscription_item_details":{"proration":false,"subscription":"%s"}},
                   "pricing":{"type":"price_details","price_details":{"price":"%s","product":"%s"}}}]}}
                """.formatted(
                        id,
                        user,
                        tier.monthlyPrice().minorUnits(),
                        sub,
                        user,
                        id,
                        start.getEpochSecond(),
                        end.getEpochSecond(),
                        sub,
                        tier.stripeMonthlyPriceId().orElseThrow(),
                        tier.stripeProductId().orElseThrow());
    }

    /**
     * Stripe's two endpoints the subscription reconciler calls, which FakeStripe does not have:
     * {@code GET /v1/subscriptions/ID} and {@code GET /v1/invoices?subscription=ID&status=paid}.
     */
    private static final class StripeStub implements AutoCloseable {

        private final HttpServer server;
        private final Map<String, String> subscriptions = new ConcurrentHashMap<>();
        private final Map<String, String> invoices = new ConcurrentHashMap<>();

        StripeStub() throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/v1/subscriptions/", exchange -> {
                String id = exchange.getRequestURI().getPath().substring("/v1/subscriptions/".length());
                String body = subscriptions.get(id);
                if (body == null) {
                    respond(
                            exchange,
                            404,
                            "{\"error\":{\"type\":\"invalid_request_error\",\"code\":\"resource_missing\","
                                    + "\"message\":\"No such subscription: '" + id + "'\",\"param\":\"id\"}}");
                } else {
                    respond(exchange, 200, body);
                }
            });
            server.createContext("/v1/invoices", exchange -> {
                String query = exchange.getRequestURI().getQuery();
                String sub = query == null
                        ? ""
                        : java.util.Arrays.stream(query.split("&"))
                                .filter(pair -> pair.startsWith("subscription="))
                                .map(pair -> pair.substring("subscription=".length()))
                                .findFirst()
                                .orElse("");
                String data = invoices.getOrDefault(sub, "");
                respond(
                        exchange,
                        200,
                        "{\"object\":\"list\",\"url\":\"/v1/invoices\",\"has_more\":false,\"data\":[" + data + "]}");
            });
            server.start();
        }

        String apiBase() {
            return "http://127.0.0.1:" + server.getAddress().getPort();
        }

        void subscription(String id, String json) {
            subscriptions.put(id, json);
        }

        void invoice(String subscriptionId, String json) {
            invoices.put(subscriptionId, json);
        }

        private static void respond(HttpExchange exchange, int status, String body) throws IOException {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.getResponseHeaders().add("Request-Id", "req_stub");
            exchange.sendResponseHeaders(status, bytes.length);
            try (var out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
