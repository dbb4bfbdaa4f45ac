package dev.tokenbilling.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.stripe.StripeClient;
import com.stripe.param.PaymentIntentConfirmParams;
import dev.tokenbilling.TokenBilling;
import dev.tokenbilling.error.BillingException;
import dev.tokenbilling.model.BillingInterval;
import dev.tokenbilling.model.CheckoutSession;
import dev.tokenbilling.model.Debit;
import dev.tokenbilling.model.DefaultCatalog;
import dev.tokenbilling.model.IdempotencyKey;
import dev.tokenbilling.model.PurchaseIntent;
import dev.tokenbilling.model.Reservation;
import dev.tokenbilling.model.ReservationRequest;
import dev.tokenbilling.model.SubscriptionOverview;
import dev.tokenbilling.model.TokenBalance;
import dev.tokenbilling.model.TokenPackage;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.service.TokenBillingService;
import dev.tokenbilling.stripe.StripeApi;
import dev.tokenbilling.stripe.WebhookVerification;
import dev.tokenbilling.support.BillingFixture;
import dev.tokenbilling.support.TestDatabase;
import dev.tokenbilling.testkit.stripe.FakeStripe;
import dev.tokenbilling.testkit.stripe.StripeWebhookSigner;
import dev.tokenbilling.webhook.WebhookOutcome;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * The code README.md shows, compiled and run: each {@code tag::name[]} region below must appear in the
 * README word for word (indentation aside), so the README cannot show code that does not work.
 */
class ReadmeSnippetsTest {

    private static final Pattern REGION =
            Pattern.compile("// tag::([\\w-]+)\\[]\\n(.*?)\\n\\s*// end::\\1\\[]", Pattern.DOTALL);

    @Test
    void shouldRunTheGettingStartedCode() throws Exception {
        try (FakeStripe fake = FakeStripe.start()) {
            DataSource dataSource = TestDatabase.dataSource();
            Map<String, String> environment = Map.of(
                    "STRIPE_SECRET_KEY",
                    fake.secretKey(),
                    "STRIPE_API_BASE",
                    fake.apiBase(),
                    "STRIPE_WEBHOOK_SECRET",
                    "whsec_readme_0123456789");
            String schema = TestDatabase.newSchema(ReadmeSnippetsTest.class);

            // tag::build[]
            TokenBilling billing = TokenBilling.builder()
                    .dataSource(dataSource) // your pool
                    .schema(schema) // default "billing"
                    .stripe(StripeApi.fromEnvironment(environment).build()) // STRIPE_SECRET_KEY
                    .webhooks(WebhookVerification.fromEnvironment(environment).build()) // STRIPE_WEBHOOK_SECRET
                    .build(); // applies the library's migrations
            TokenBillingService service = billing.service();
            // end::build[]
            BillingFixture.seedPackages().forEach(service.catalog()::savePackage);
            service.catalog().syncToStripe(false);

            // tag::purchase[]
            UserId user = UserId.of("42");
            List<TokenPackage> packs = service.catalog().packages(); // what the "buy tokens" dialog lists
            PurchaseIntent intent =
                    service.purchases().start(user, "booster-500k"); // give intent.clientSecret() to Stripe.js
            // end::purchase[]
            assertThat(packs).hasSize(3);

            // tag::tiers[]
            DefaultCatalog.tiers().forEach(service.catalog()::saveTier); // Explorer (free), Plus, Pro
            service.catalog().syncTiersToStripe(false); // a Product and recurring Prices per paid tier
            String page = "https://shop.example/billing";
            CheckoutSession checkout =
                    service.subscriptions().checkout(user, "plus", BillingInterval.MONTH, page, page);
            // Send the browser to checkout.url(); each paid invoice grants the period's allowance, once.
            SubscriptionOverview plan = service.subscriptions().overview(user); // tier, allowance left, reset date
            // end::tiers[]
            assertThat(checkout.url()).startsWith(fake.apiBase());
            assertThat(plan.tier()).map(tier -> tier.slug()).contains("explorer");
            StripeClient.builder()
                    .setApiKey(fake.secretKey())
                    .setApiBase(fake.apiBase())
                    .build()
                    .v1()
                    .paymentIntents()
                    .confirm(
                            intent.paymentIntentId(),
                            PaymentIntentConfirmParams.builder()
                                    .setPaymentMethod("pm_card_visa")
                                    .build());
            byte[] rawBody =
                    fake.events("payment_intent.succeeded").get(0).toString().getBytes(StandardCharsets.UTF_8);
            String signatureHeader =
                    StripeWebhookSigner.header(new String(rawBody, StandardCharsets.UTF_8), "whsec_readme_0123456789");

            // tag::webhook[]
            // In your webhook endpoint: Stripe's raw bytes and its Stripe-Signature header.
            WebhookOutcome outcome = billing.webhooks().handle(rawBody, signatureHeader);
            int status = outcome.httpStatus(); // answer Stripe with this
            // end::webhook[]
            assertThat(status).isEqualTo(200);

            // tag::metering[]
            // Exactly once per idempotency key, never below zero.
            service.ledger()
                    .debit(Debit.of(user, 1_250, IdempotencyKey.of("req-7f3a")).withDescription("chat completion"));

            // Streaming: hold the most it may cost, settle the real count when the stream ends.
            Reservation hold = service.reservations()
                    .reserve(ReservationRequest.of(user, 8_000, Duration.ofMinutes(5), IdempotencyKey.of("req-7f3b")));
            service.reservations().settle(user, hold.id(), 5_321);

            TokenBalance balance = service.ledger().balance(user); // balance, available, totals...
            // end::metering[]
            assertThat(balance.balance()).isEqualTo(500_000 + 50_000 - 1_250 - 5_321); // the pack and Explorer's month

            // tag::operations[]
            billing.reconciler().run(Duration.ofMinutes(15), 500); // schedule it: repairs what webhooks missed
            service.operations().expire(1_000); // schedule it: lapsed lots and holds
            // end::operations[]

            // tag::errors[]
            try {
                service.ledger().debit(Debit.of(user, 10_000_000, IdempotencyKey.of("req-7f3c")));
            } catch (BillingException e) {
                switch (e.code()) {
                    case INSUFFICIENT_TOKENS -> System.out.println("Buy more tokens"); // show the packs
                    case STORE_UNAVAILABLE -> System.out.println("Try again shortly"); // e.retryable() is true
                    default -> throw e;
                }
            }
            // end::errors[]
            assertThat(service.operations().audit().sound()).isTrue();
        }
    }

    @Test
    void shouldShowEveryRegionInTheReadme() throws IOException {
        String readme = normalize(Files.readString(Path.of("..", "README.md")));
        String source = Files.readString(Path.of("src/test/java/dev/tokenbilling/it/ReadmeSnippetsTest.java"));
        List<String> regions = new ArrayList<>();
        Matcher matcher = REGION.matcher(source);
        while (matcher.find()) {
            regions.add(matcher.group(1));
            assertThat(readme).as("README.md shows region %s", matcher.group(1)).contains(normalize(matcher.group(2)));
        }
        assertThat(regions)
                .containsExactly("build", "purchase", "tiers", "webhook", "metering", "operations", "errors");
    }

    /** Layout does not count (the formatter and the README may break and align lines differently): whitespace is dropped. */
    private static String normalize(String text) {
        return text.replaceAll("\\s+", "");
    }
}
