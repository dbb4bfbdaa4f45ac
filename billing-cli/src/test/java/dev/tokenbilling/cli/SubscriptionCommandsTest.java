package dev.tokenbilling.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.stripe.StripeClient;
import com.stripe.model.Customer;
import com.stripe.param.CustomerCreateParams;
import com.stripe.param.SubscriptionCreateParams;
import dev.tokenbilling.TokenBilling;
import dev.tokenbilling.cli.support.Cli;
import dev.tokenbilling.cli.support.Cli.Result;
import dev.tokenbilling.model.BillingInterval;
import dev.tokenbilling.model.Subscription;
import dev.tokenbilling.model.SubscriptionStatus;
import dev.tokenbilling.model.SubscriptionTier;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.stripe.StripeApi;
import dev.tokenbilling.testkit.stripe.FakeStripe;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code billing subscriptions} and the subscriptions part of {@code billing retry}. The tiers are seeded and
 * synced to FakeStripe; the subscriptions are stored through the library as its webhooks would store them.
 * The retry tests subscribe users with stripe-java against FakeStripe (no webhook endpoint, so no event
 * reaches the library) and let the reconciler compare. Each test has a FakeStripe and a migrated, seeded
 * schema of its own.
 */
class SubscriptionCommandsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);

    private FakeStripe fake;
    private Cli cli;
    private TokenBilling library;
    private StripeClient stripe;
    private SubscriptionTier plus;
    private SubscriptionTier pro;

    @BeforeEach
    void seed() {
        fake = FakeStripe.start();
        cli = Cli.forClass(SubscriptionCommandsTest.class)
                .stripe(fake.apiBase(), FakeStripe.SECRET_KEY)
                .migrated();
        cli.runOk("seed", "--with-stripe");
        library = cli.library(StripeApi.builder()
                .secretKey(FakeStripe.SECRET_KEY)
                .apiBase(URI.create(fake.apiBase()))
                .build());
        stripe = StripeClient.builder()
                .setApiKey(FakeStripe.SECRET_KEY)
                .setApiBase(fake.apiBase())
                .build();
        plus = synced("plus");
        pro = synced("pro");
    }

    @AfterEach
    void stop() {
        fake.close();
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
        // Alice's events all arrived: her stored subscription and her first period's allowance agree with Stripe.
        com.stripe.model.Subscription alice = subscribe("alice", plus);
        store("alice", alice, plus, SubscriptionStatus.ACTIVE, Duration.ofDays(20));
        library.reconciler().reconcileSubscriptions(100);
        // Bob's subscription is active in Stripe with a paid invoice, but the library still has it past_due:
        // no webhook endpoint is registered, so no event of his ever arrived.
        com.stripe.model.Subscription bob = subscribe("bob", pro);
        store("bob", bob, pro, SubscriptionStatus.PAST_DUE, Duration.ofDays(-1));
        long allowance = pro.allowance(BillingInterval.MONTH);

        Result result = cli.run("retry");
        Result again = cli.run("retry", "-o", "json");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out())
                .contains("Subscriptions compared with Stripe:")
                .containsPattern("  🔧 Repaired " + bob.getId() + " \\(user bob\\): past_due → active; granted .*")
                .doesNotContain(alice.getId())
                .contains("Compared 2 subscriptions with Stripe: 1 repaired, 1 unchanged, 0 errors.");
        assertThat(cli.run("subscriptions", "--user", "bob").out())
                .containsPattern(bob.getId() + "\\s+pro\\s+month\\s+active");
        assertThat(cli.run("balance", "bob", "-o", "json").out()).contains("\"balance\": " + allowance);
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
        assertThat(cli.run("balance", "bob", "-o", "json").out()).contains("\"balance\": " + allowance);
    }

    @Test
    void shouldReportASubscriptionCheckThatFailedAndExitWith1() throws Exception {
        // Stored as the library would, but FakeStripe knows no such subscription: it answers 404.
        store("carol", "sub_carol", plus, SubscriptionStatus.ACTIVE, Duration.ofDays(5), false);

        Result result = cli.run("retry");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.FAILED);
        assertThat(result.out())
                .containsPattern("  ❌ sub_carol \\(user carol\\): Stripe: .*No such subscription")
                .contains("Compared 1 subscription with Stripe: 0 repaired, 0 unchanged, 1 error.");
        assertThat(result.err()).contains("1 subscription check failed");
    }

    /** The tier as `billing seed --with-stripe` synced it to FakeStripe: its product and prices are FakeStripe's. */
    private SubscriptionTier synced(String slug) {
        SubscriptionTier tier = library.service().catalog().findTier(slug).orElseThrow();
        assertThat(tier.stripeMonthlyPriceId())
                .as("%s synced to FakeStripe", slug)
                .isPresent();
        return tier;
    }

    /**
     * A customer of the user (metadata {@code user_id}) subscribed with stripe-java to the tier's monthly
     * price, paid with {@code pm_card_visa}: FakeStripe makes it active with a paid first invoice.
     */
    private com.stripe.model.Subscription subscribe(String user, SubscriptionTier tier) throws Exception {
        Customer customer = stripe.v1()
                .customers()
                .create(CustomerCreateParams.builder()
                        .putMetadata("user_id", user)
                        .build());
        com.stripe.model.Subscription subscription = stripe.v1()
                .subscriptions()
                .create(SubscriptionCreateParams.builder()
                        .setCustomer(customer.getId())
                        .addItem(SubscriptionCreateParams.Item.builder()
                                .setPrice(tier.stripeMonthlyPriceId().orElseThrow())
                                .build())
                        .setDefaultPaymentMethod("pm_card_visa")
                        .putMetadata("user_id", user)
                        .build());
        assertThat(subscription.getStatus()).isEqualTo("active");
        return subscription;
    }

    /** Stores a Stripe subscription with its real ids, in the state the library last heard of. */
    private void store(
            String user,
            com.stripe.model.Subscription subscription,
            SubscriptionTier tier,
            SubscriptionStatus status,
            Duration endsIn) {
        save(user, subscription.getId(), subscription.getCustomer(), tier, status, endsIn, false);
    }

    private void store(
            String user,
            String id,
            SubscriptionTier tier,
            SubscriptionStatus status,
            Duration endsIn,
            boolean cancelAtPeriodEnd) {
        save(user, id, "cus_" + user, tier, status, endsIn, cancelAtPeriodEnd);
    }

    private void save(
            String user,
            String id,
            String customer,
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
                        Optional.of(customer),
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
}
