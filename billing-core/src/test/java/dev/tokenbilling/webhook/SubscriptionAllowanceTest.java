package dev.tokenbilling.webhook;

import static dev.tokenbilling.support.StripeEvents.bytes;
import static dev.tokenbilling.support.StripeEvents.sign;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenbilling.TokenBilling;
import dev.tokenbilling.internal.stripe.StripeJson;
import dev.tokenbilling.internal.subscription.Allowances;
import dev.tokenbilling.model.Debit;
import dev.tokenbilling.model.IdempotencyKey;
import dev.tokenbilling.model.LedgerEntry;
import dev.tokenbilling.model.LedgerEntryKind;
import dev.tokenbilling.model.Money;
import dev.tokenbilling.model.PageRequest;
import dev.tokenbilling.model.Subscription;
import dev.tokenbilling.model.SubscriptionOverview;
import dev.tokenbilling.model.SubscriptionStatus;
import dev.tokenbilling.model.SubscriptionTier;
import dev.tokenbilling.model.TierDefinition;
import dev.tokenbilling.model.TokenLot;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.stripe.StripeApi;
import dev.tokenbilling.stripe.WebhookVerification;
import dev.tokenbilling.support.BillingFixture;
import dev.tokenbilling.support.MutableClock;
import dev.tokenbilling.support.StripeEvents;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tier allowances from Stripe's subscription and invoice events, written as Stripe sends them (API
 * version 2025-03-31 and later): once per paid invoice whatever the order and repetition of events,
 * an upgrade topped up once, late snapshots never overwriting newer ones, the free tier once a month.
 */
class SubscriptionAllowanceTest {

    private static final Instant START = Instant.parse("2026-01-10T12:00:00Z");
    private static final Duration MONTH = Duration.ofDays(31);
    private static final AtomicInteger IDS = new AtomicInteger();

    private static MutableClock clock;
    private static BillingFixture fixture;
    private static SubscriptionTier plus;
    private static SubscriptionTier pro;
    private static SubscriptionTier saver;

    @BeforeAll
    static void setUp() {
        clock = new MutableClock(START);
        fixture = BillingFixture.create(
                SubscriptionAllowanceTest.class,
                builder -> builder.clock(clock)
                        .stripe(StripeApi.builder().secretKey("sk_test_unused").build())
                        .webhooks(WebhookVerification.builder()
                                .secret(StripeEvents.SECRET)
                                .build()));
        var catalog = fixture.service.catalog();
        catalog.saveTier(TierDefinition.monthly("explorer", "Explorer", Money.of(0, "USD"), 50_000, "", 0));
        plus = synced(catalog.saveTier(TierDefinition.monthly("plus", "Plus", Money.of(1000, "USD"), 600_000, "", 1))
                .tier());
        pro = synced(catalog.saveTier(TierDefinition.monthly("pro", "Pro", Money.of(2500, "USD"), 2_000_000, "", 2))
                .tier());
        saver = synced(catalog.saveTier(TierDefinition.monthly("saver", "Saver", Money.of(500, "USD"), 300_000, "", 3)
                        .withRolloverCap(100_000))
                .tier());
    }

    /** What the catalog sync would record: the Product and monthly Price that sell the tier. */
    private static SubscriptionTier synced(SubscriptionTier tier) {
        return fixture.billing
                .store()
                .tiers()
                .updateStripeIds(
                        tier.id(),
                        Optional.of("prod_" + tier.slug()),
                        Optional.of("price_" + tier.slug() + "_month"),
                        Optional.empty(),
                        clock.instant());
    }

    @AfterEach
    void ledgerStaysSound() {
        fixture.assertLedgerInvariants();
    }

    @Test
    void shouldGrantAPaidPeriodOnceWhateverTheOrderAndRepetitionOfItsEvents() {
        UserId user = user();
        String sub = "sub_" + IDS.incrementAndGet();
        Instant end = START.plus(MONTH);
        String invoice = invoice("in_first_" + sub, sub, user, plus, "subscription_create", START, end);

        // The invoice arrives first, twice, then under its older name, then the subscription itself.
        deliver("invoice.paid", invoice, START);
        deliver("invoice.paid", invoice, START);
        deliver("invoice.payment_succeeded", invoice, START);
        deliver("customer.subscription.created", subscription(sub, user, plus, "active", START, end, false), START);

        assertThat(allowances(user)).extracting(LedgerEntry::amount).containsExactly(600_000L);
        TokenLot lot = allowanceLots(user).get(0);
        assertThat(lot.priority()).isEqualTo(Allowances.PRIORITY);
        assertThat(lot.expiresAt()).contains(end.plus(TokenBilling.DEFAULT_ALLOWANCE_GRACE));
        Subscription stored =
                fixture.service.subscriptions().subscriptions(user).get(0);
        assertThat(stored.status()).isEqualTo(SubscriptionStatus.ACTIVE);
        assertThat(stored.tierSlug()).isEqualTo("plus");
        assertThat(stored.currentPeriodEnd()).contains(end);
    }

    @Test
    void shouldGrantEachRenewalOnceAndLetThePreviousAllowanceExpire() {
        UserId user = user();
        String sub = "sub_" + IDS.incrementAndGet();
        Instant periodStart = START;
        for (int period = 0; period < 3; period++) {
            Instant periodEnd = periodStart.plus(MONTH);
            String reason = period == 0 ? "subscription_create" : "subscription_cycle";
            String paid = invoice("in_" + period + "_" + sub, sub, user, plus, reason, periodStart, periodEnd);
            deliver("invoice.paid", paid, periodStart);
            deliver("invoice.paid", paid, periodStart); // a repeat
            fixture.service.ledger().debit(Debit.of(user, 100_000, IdempotencyKey.of("use-" + period)));
            clock.advance(MONTH.plus(Duration.ofHours(3))); // past the period and its grace
            fixture.service.operations().expire(100);
            clock.advance(Duration.ofHours(-3));
            periodStart = periodEnd;
        }
        clock.advance(Duration.ofHours(3));

        assertThat(allowances(user)).extracting(LedgerEntry::amount).containsExactly(600_000L, 600_000L, 600_000L);
        // Each period's unused 500,000 expired with it.
        assertThat(entries(user, LedgerEntryKind.EXPIRY))
                .extracting(LedgerEntry::amount)
                .containsExactly(-500_000L, -500_000L, -500_000L);
        assertThat(fixture.service.ledger().balance(user).balance()).isZero();
        clock.advance(MONTH.multipliedBy(-3).minus(Duration.ofHours(3)));
    }

    @Test
    void shouldTopAnUpgradeUpToTheNewTiersAllowanceOnce() {
        UserId user = user();
        String sub = "sub_" + IDS.incrementAndGet();
        Instant end = START.plus(MONTH);
        deliver("invoice.paid", invoice("in_up_" + sub, sub, user, plus, "subscription_create", START, end), START);
        fixture.service.ledger().debit(Debit.of(user, 100_000, IdempotencyKey.of("before-upgrade")));

        Instant upgradedAt = START.plus(Duration.ofDays(10));
        ObjectNode previous = StripeJson.MAPPER.createObjectNode();
        previous.set(
                "items",
                StripeJson.parse(subscription(sub, user, plus, "active", START, end, false))
                        .path("items"));
        String upgraded = subscription(sub, user, pro, "active", START, end, false);
        deliver("customer.subscription.updated", upgraded, upgradedAt, previous);
        deliver("customer.subscription.updated", upgraded, upgradedAt, previous); // a repeat
        // The proration invoice pays for no new period: it grants nothing more.
        deliver(
                "invoice.paid",
                invoice("in_prorate_" + sub, sub, user, pro, "subscription_update", upgradedAt, end),
                upgradedAt);

        // 500,000 of Plus were left: the top-up brings the period to Pro's 2,000,000.
        assertThat(allowances(user)).extracting(LedgerEntry::amount).containsExactly(600_000L, 1_500_000L);
        assertThat(fixture.service.ledger().balance(user).balance()).isEqualTo(2_000_000L);
        assertThat(fixture.service.subscriptions().overview(user).tier())
                .map(SubscriptionTier::slug)
                .contains("pro");
    }

    @Test
    void shouldNeverLetALateSnapshotOverwriteANewerOne() {
        UserId user = user();
        String sub = "sub_" + IDS.incrementAndGet();
        Instant end = START.plus(MONTH);
        deliver(
                "customer.subscription.updated",
                subscription(sub, user, plus, "past_due", START, end, true),
                START.plusSeconds(60));
        deliver("customer.subscription.created", subscription(sub, user, plus, "active", START, end, false), START);

        Subscription stored =
                fixture.service.subscriptions().subscriptions(user).get(0);
        assertThat(stored.status()).isEqualTo(SubscriptionStatus.PAST_DUE);
        assertThat(stored.cancelAtPeriodEnd()).isTrue();
    }

    @Test
    void shouldGrantNoAllowanceForAFailedRenewalAndKeepWhatTheUserHad() {
        UserId user = user();
        String sub = "sub_" + IDS.incrementAndGet();
        Instant end = START.plus(MONTH);
        deliver("invoice.paid", invoice("in_ok_" + sub, sub, user, plus, "subscription_create", START, end), START);
        String failed = invoice("in_failed_" + sub, sub, user, plus, "subscription_cycle", end, end.plus(MONTH))
                .replace("\"status\":\"paid\"", "\"status\":\"open\"");
        deliver("invoice.payment_failed", failed, end);
        deliver(
                "customer.subscription.updated",
                subscription(sub, user, plus, "past_due", end, end.plus(MONTH), false),
                end);

        assertThat(allowances(user)).extracting(LedgerEntry::amount).containsExactly(600_000L);
        SubscriptionOverview overview = fixture.service.subscriptions().overview(user);
        assertThat(overview.subscription()).map(Subscription::status).contains(SubscriptionStatus.PAST_DUE);
        assertThat(overview.tier()).map(SubscriptionTier::slug).contains("plus");
        assertThat(overview.allowanceRemaining()).isEqualTo(600_000L);
        assertThat(fixture.service.subscriptions().grantFreeAllowance(user)).isEmpty();
    }

    @Test
    void shouldCarryUnusedAllowanceUpToTheRolloverCap() {
        UserId user = user();
        String sub = "sub_" + IDS.incrementAndGet();
        Instant end = START.plus(MONTH);
        deliver("invoice.paid", invoice("in_s1_" + sub, sub, user, saver, "subscription_create", START, end), START);
        fixture.service.ledger().debit(Debit.of(user, 100_000, IdempotencyKey.of("saver-use")));
        String renewal = invoice("in_s2_" + sub, sub, user, saver, "subscription_cycle", end, end.plus(MONTH));
        deliver("invoice.paid", renewal, end);
        deliver("invoice.paid", renewal, end);

        // 200,000 were left: 100,000 (the cap) carry over, the rest lapses now.
        assertThat(allowances(user)).extracting(LedgerEntry::amount).containsExactly(300_000L, 300_000L, 100_000L);
        assertThat(entries(user, LedgerEntryKind.EXPIRY))
                .extracting(LedgerEntry::amount)
                .containsExactly(-200_000L);
        assertThat(fixture.service.ledger().balance(user).balance()).isEqualTo(400_000L);
    }

    @Test
    void shouldGrantTheFreeTierOncePerMonth() {
        UserId user = user();
        SubscriptionOverview first = fixture.service.subscriptions().overview(user);
        fixture.service.subscriptions().overview(user);
        assertThat(first.tier()).map(SubscriptionTier::slug).contains("explorer");
        assertThat(first.allowanceRemaining()).isEqualTo(50_000L);
        assertThat(first.resetsAt()).contains(Instant.parse("2026-02-01T00:00:00Z"));

        clock.advance(MONTH);
        try {
            fixture.service.subscriptions().grantFreeAllowance(user);
            fixture.service.subscriptions().grantFreeAllowance(user);
        } finally {
            clock.advance(MONTH.negated());
        }
        assertThat(allowances(user)).extracting(LedgerEntry::amount).containsExactly(50_000L, 50_000L);
    }

    @Test
    void shouldIgnoreSubscriptionsToPricesThatAreNotTiers() {
        UserId user = user();
        String foreign = subscription("sub_foreign", user, plus, "active", START, START.plus(MONTH), false)
                .replace("prod_plus", "prod_other")
                .replace("price_plus_month", "price_other");
        WebhookOutcome outcome = deliver("customer.subscription.created", foreign, START);
        assertThat(outcome).isInstanceOf(WebhookOutcome.Ignored.class);
        assertThat(fixture.service.subscriptions().subscriptions(user)).isEmpty();
    }

    // ---- events as Stripe sends them ----

    private static UserId user() {
        return UserId.of("sub-user-" + IDS.incrementAndGet());
    }

    private static String subscription(
            String id, UserId user, SubscriptionTier tier, String status, Instant start, Instant end, boolean cancel) {
        return """
                {"id":"%s","object":"subscription","customer":"cus_%s","status":"%s","cancel_at_period_end":%s,
                 "canceled_at":null,"ended_at":null,"metadata":{"user_id":"%s"},
                 "items":{"object":"list","data":[{"id":"si_%s","object":"subscription_item",
                   "current_period_start":%d,"current_period_end":%d,
                   "price":{"id":"%s","object":"price","product":"%s","type":"recurring",
                            "recurring":{"interval":"month","interval_count":1}}}]}}
                """.formatted(
                        id,
                        user.value(),
                        status,
                        cancel,
                        user.value(),
                        id,
                        start.getEpochSecond(),
                        end.getEpochSecond(),
                        tier.stripeMonthlyPriceId().orElseThrow(),
                        tier.stripeProductId().orElseThrow());
    }

    private static String invoice(
            String id, String sub, UserId user, SubscriptionTier tier, String reason, Instant start, Instant end) {
        boolean proration = reason.equals("subscription_update");
        return """
                {"id":"%s","object":"invoice","status":"paid","billing_reason":"%s","customer":"cus_%s",
                 "amount_paid":%d,"currency":"usd",
                 "parent":{"type":"subscription_details",
                           "subscription_details":{"subscription":"%s","metadata":{"user_id":"%s"}}},
                 "lines":{"object":"list","data":[{"id":"il_%s","object":"line_item",
                   "period":{"start":%d,"end":%d},
                   "parent":{"type":"subscription_item_details",
                             "subscription_item_details":{"proration":%s,"subscription":"%s"}},
                   "pricing":{"type":"price_details","price_details":{"price":"%s","product":"%s"}}}]}}
                """.formatted(
                        id,
                        reason,
                        user.value(),
                        tier.monthlyPrice().minorUnits(),
                        sub,
                        user.value(),
                        id,
                        start.getEpochSecond(),
                        end.getEpochSecond(),
                        proration,
                        sub,
                        tier.stripeMonthlyPriceId().orElseThrow(),
                        tier.stripeProductId().orElseThrow());
    }

    private static WebhookOutcome deliver(String type, String object, Instant created) {
        return deliver(type, object, created, null);
    }

    private static WebhookOutcome deliver(String type, String object, Instant created, ObjectNode previous) {
        ObjectNode event = StripeJson.MAPPER.createObjectNode();
        event.put("id", "evt_sub_" + IDS.incrementAndGet());
        event.put("object", "event");
        event.put("api_version", com.stripe.Stripe.API_VERSION);
        event.put("created", created.getEpochSecond());
        event.put("livemode", false);
        event.put("type", type);
        ObjectNode data = event.putObject("data");
        data.set("object", StripeJson.parse(object));
        if (previous != null) {
            data.set("previous_attributes", previous);
        }
        String payload = event.toString();
        WebhookOutcome outcome =
                fixture.billing.webhooks().handle(bytes(payload), sign(payload, StripeEvents.SECRET, clock.instant()));
        assertThat(outcome.httpStatus()).as(outcome.describe()).isEqualTo(200);
        return outcome;
    }

    private static List<LedgerEntry> allowances(UserId user) {
        return entries(user, LedgerEntryKind.ALLOWANCE);
    }

    private static List<LedgerEntry> entries(UserId user, LedgerEntryKind kind) {
        List<LedgerEntry> all = new java.util.ArrayList<>(
                fixture.service.ledger().history(user, PageRequest.first(100)).items());
        java.util.Collections.reverse(all);
        return all.stream().filter(entry -> entry.kind() == kind).toList();
    }

    private static List<TokenLot> allowanceLots(UserId user) {
        return fixture.service.ledger().lots(user).stream()
                .filter(lot -> lot.source().equals("allowance"))
                .toList();
    }
}
