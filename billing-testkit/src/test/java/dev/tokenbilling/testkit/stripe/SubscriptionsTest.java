package dev.tokenbilling.testkit.stripe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.stripe.StripeClient;
import com.stripe.exception.CardException;
import com.stripe.model.Event;
import com.stripe.model.Invoice;
import com.stripe.model.InvoicePayment;
import com.stripe.model.PaymentIntent;
import com.stripe.model.Subscription;
import com.stripe.model.SubscriptionItem;
import com.stripe.model.testhelpers.TestClock;
import com.stripe.net.ApiResource;
import com.stripe.net.Webhook;
import com.stripe.param.CustomerCreateParams;
import com.stripe.param.CustomerUpdateParams;
import com.stripe.param.InvoiceListParams;
import com.stripe.param.InvoicePayParams;
import com.stripe.param.InvoicePaymentListParams;
import com.stripe.param.InvoiceRetrieveParams;
import com.stripe.param.PaymentIntentConfirmParams;
import com.stripe.param.PriceCreateParams;
import com.stripe.param.SubscriptionCancelParams;
import com.stripe.param.SubscriptionCreateParams;
import com.stripe.param.SubscriptionListParams;
import com.stripe.param.SubscriptionUpdateParams;
import com.stripe.param.testhelpers.TestClockAdvanceParams;
import com.stripe.param.testhelpers.TestClockCreateParams;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SubscriptionsTest {
    @RegisterExtension
    static final FakeStripeExtension STRIPE = new FakeStripeExtension().resettingBeforeEach();

    private static final ZonedDateTime START = ZonedDateTime.of(2026, 1, 31, 10, 0, 0, 0, ZoneOffset.UTC);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private FakeStripe fake;
    private StripeClient client;
    private WebhookReceiver receiver;

    @BeforeEach
    void setUp(FakeStripe fake) {
        this.fake = fake;
        this.client = Clients.secret(fake);
        this.receiver = new WebhookReceiver();
    }

    @AfterEach
    void tearDown() {
        receiver.close();
    }

    private String clock() throws Exception {
        return client.v1()
                .testHelpers()
                .testClocks()
                .create(TestClockCreateParams.builder()
                        .setFrozenTime(START.toEpochSecond())
                        .setName("subscriptions")
                        .build())
                .getId();
    }

    private TestClock advance(String clock, ZonedDateTime to) throws Exception {
        return client.v1()
                .testHelpers()
                .testClocks()
                .advance(
                        clock,
                        TestClockAdvanceParams.builder()
                                .setFrozenTime(to.toEpochSecond())
                                .build());
    }

    private String customer(String clock, String paymentMethod) throws Exception {
        CustomerCreateParams.Builder b = CustomerCreateParams.builder().setEmail("sub@example.com");
        if (clock != null) {
            b.setTestClock(clock);
        }
        if (paymentMethod != null) {
            b.setInvoiceSettings(CustomerCreateParams.InvoiceSettings.builder()
                    .setDefaultPaymentMethod(paymentMethod)
                    .build());
        }
        return client.v1().customers().create(b.build()).getId();
    }

    private String price(long amount) throws Exception {
        return client.v1()
                .prices()
                .create(PriceCreateParams.builder()
                        .setCurrency("usd")
                        .setUnitAmount(amount)
                        .setProductData(PriceCreateParams.ProductData.builder()
                                .setName("Pro")
                                .build())
                        .setRecurring(PriceCreateParams.Recurring.builder()
                                .setInterval(PriceCreateParams.Recurring.Interval.MONTH)
                                .build())
                        .build())
                .getId();
    }

    private Subscription subscribe(String customer, String price, String paymentMethod) throws Exception {
        SubscriptionCreateParams.Builder b = SubscriptionCreateParams.builder()
                .setCustomer(customer)
                .addItem(SubscriptionCreateParams.Item.builder().setPrice(price).build())
                .putMetadata("plan", "pro");
        if (paymentMethod != null) {
            b.setDefaultPaymentMethod(paymentMethod);
        }
        return client.v1().subscriptions().create(b.build());
    }

    private Invoice invoice(String id) throws Exception {
        return client.v1().invoices().retrieve(id);
    }

    private List<Invoice> invoicesOf(String subscription) throws Exception {
        return client.v1()
                .invoices()
                .list(InvoiceListParams.builder()
                        .setSubscription(subscription)
                        .setLimit(100L)
                        .build())
                .getData();
    }

    private static SubscriptionItem item(Subscription s) {
        return s.getItems().getData().get(0);
    }

    @Test
    void shouldPayTheFirstInvoiceAtOnceAndRenewEachMonthTheClockMoves() throws Exception {
        String clock = clock();
        String customer = customer(clock, null);
        Subscription sub = subscribe(customer, price(900), "pm_card_visa");

        assertThat(sub.getStatus()).isEqualTo("active");
        assertThat(sub.getTestClock()).isEqualTo(clock);
        assertThat(sub.getCreated()).isEqualTo(START.toEpochSecond());
        assertThat(sub.getMetadata()).containsEntry("plan", "pro");
        assertThat(item(sub).getCurrentPeriodStart()).isEqualTo(START.toEpochSecond());
        assertThat(item(sub).getCurrentPeriodEnd())
                .isEqualTo(START.plusMonths(1).toEpochSecond()); // Feb 28th
        Invoice first = invoice(sub.getLatestInvoice());
        assertThat(first.getStatus()).isEqualTo("paid");
        assertThat(first.getBillingReason()).isEqualTo("subscription_create");
        assertThat(first.getAmountDue()).isEqualTo(900L);
        assertThat(first.getAmountPaid()).isEqualTo(900L);
        assertThat(first.getAmountRemaining()).isZero();
        assertThat(first.getParent().getSubscriptionDetails().getSubscription()).isEqualTo(sub.getId());
        assertThat(first.getParent().getSubscriptionDetails().getMetadata()).containsEntry("plan", "pro");
        assertThat(first.getLines().getData().get(0).getPeriod().getEnd())
                .isEqualTo(item(sub).getCurrentPeriodEnd());
        assertThat(first.getLines().getData().get(0).getDescription()).isEqualTo("1 × Pro (at $9.00 / month)");

        InvoicePayment payment = client.v1()
                .invoicePayments()
                .list(InvoicePaymentListParams.builder()
                        .setInvoice(first.getId())
                        .build())
                .getData()
                .get(0);
        assertThat(payment.getStatus()).isEqualTo("paid");
        assertThat(payment.getAmountPaid()).isEqualTo(900L);
        PaymentIntent pi =
                client.v1().paymentIntents().retrieve(payment.getPayment().getPaymentIntent());
        assertThat(pi.getStatus()).isEqualTo("succeeded");
        assertThat(pi.getAmount()).isEqualTo(900L);
        assertThat(pi.getCustomer()).isEqualTo(customer);
        assertThat(client.v1()
                        .invoices()
                        .retrieve(
                                first.getId(),
                                InvoiceRetrieveParams.builder()
                                        .addExpand("payments")
                                        .build())
                        .getPayments()
                        .getData())
                .extracting(InvoicePayment::getId)
                .containsExactly(payment.getId());

        TestClock advanced = advance(clock, START.plusMonths(3).plusHours(1));

        assertThat(advanced.getStatus()).isEqualTo("ready");
        List<Invoice> invoices = invoicesOf(sub.getId());
        assertThat(invoices).hasSize(4);
        assertThat(invoices).allSatisfy(i -> assertThat(i.getStatus()).isEqualTo("paid"));
        assertThat(invoices.subList(0, 3)).extracting(Invoice::getBillingReason).containsOnly("subscription_cycle");
        assertThat(invoices)
                .extracting(i -> i.getLines().getData().get(0).getPeriod().getStart())
                .containsExactly(
                        START.plusMonths(3).toEpochSecond(),
                        START.plusMonths(2).toEpochSecond(),
                        START.plusMonths(1).toEpochSecond(),
                        START.toEpochSecond());
        Subscription renewed = client.v1().subscriptions().retrieve(sub.getId());
        assertThat(renewed.getStatus()).isEqualTo("active");
        assertThat(item(renewed).getCurrentPeriodEnd())
                .isEqualTo(START.plusMonths(4).toEpochSecond()); // May 31st
        assertThat(renewed.getLatestInvoice()).isEqualTo(invoices.get(0).getId());
        Set<String> paid = new HashSet<>();
        fake.events("invoice.paid")
                .forEach(e -> paid.add(e.at("/data/object/id").asText()));
        assertThat(fake.events("invoice.paid")).hasSize(4);
        assertThat(paid).hasSize(4);
        assertThat(fake.events("invoice.payment_succeeded")).hasSize(4);
        assertThat(fake.events("invoice.created")).hasSize(4);
        assertThat(fake.events("customer.subscription.created")).hasSize(1);
        assertThat(fake.events("customer.subscription.updated")).hasSize(3);
        assertThat(fake.events("test_helpers.test_clock.advancing")).hasSize(1);
        assertThat(fake.events("test_helpers.test_clock.ready")).hasSize(1);
        assertThat(fake.eventTypes())
                .containsSubsequence(
                        "invoice.created",
                        "payment_intent.created",
                        "invoice.finalized",
                        "charge.succeeded",
                        "payment_intent.succeeded",
                        "invoice.paid",
                        "invoice.payment_succeeded",
                        "customer.subscription.created");
    }

    @Test
    void shouldSendSignedInvoiceAndSubscriptionWebhooks() throws Exception {
        fake.registerWebhookEndpoint(receiver.url(), "whsec_subs", "invoice.paid", "customer.subscription.created");
        String customer = customer(null, "pm_card_visa");
        Subscription sub = subscribe(customer, price(900), null);

        assertThat(sub.getStatus()).isEqualTo("active");
        assertThat(sub.getDefaultPaymentMethod()).isNull();
        fake.awaitWebhooks();
        List<Event> events = receiver.all().stream()
                .map(r -> {
                    try {
                        return Webhook.constructEvent(r.payload(), r.signature(), "whsec_subs");
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                })
                .toList();
        assertThat(events)
                .extracting(Event::getType)
                .containsExactlyInAnyOrder("invoice.paid", "customer.subscription.created");
        Invoice paid = (Invoice) events.stream()
                .filter(e -> e.getType().equals("invoice.paid"))
                .findFirst()
                .orElseThrow()
                .getDataObjectDeserializer()
                .getObject()
                .orElseThrow();
        assertThat(paid.getParent().getSubscriptionDetails().getSubscription()).isEqualTo(sub.getId());
    }

    @Test
    void shouldGoPastDueWhenARenewalIsDeclinedAndRecoverWhenPaidWithANewCard() throws Exception {
        String clock = clock();
        String customer = customer(clock, "pm_card_visa");
        Subscription sub = subscribe(customer, price(900), null);
        client.v1()
                .customers()
                .update(
                        customer,
                        CustomerUpdateParams.builder()
                                .setInvoiceSettings(CustomerUpdateParams.InvoiceSettings.builder()
                                        .setDefaultPaymentMethod("pm_card_chargeDeclined")
                                        .build())
                                .build());

        advance(clock, START.plusMonths(1).plusMinutes(5));

        Subscription pastDue = client.v1().subscriptions().retrieve(sub.getId());
        assertThat(pastDue.getStatus()).isEqualTo("past_due");
        Invoice open = invoice(pastDue.getLatestInvoice());
        assertThat(open.getStatus()).isEqualTo("open");
        assertThat(open.getBillingReason()).isEqualTo("subscription_cycle");
        assertThat(open.getAttemptCount()).isEqualTo(1L);
        assertThat(open.getAmountRemaining()).isEqualTo(900L);
        assertThat(fake.events("invoice.payment_failed"))
                .singleElement()
                .satisfies(e -> assertThat(e.at("/data/object/id").asText()).isEqualTo(open.getId()));
        assertThatThrownBy(() -> client.v1()
                        .invoices()
                        .pay(open.getId(), InvoicePayParams.builder().build()))
                .isInstanceOf(CardException.class);

        client.v1()
                .customers()
                .update(
                        customer,
                        CustomerUpdateParams.builder()
                                .setInvoiceSettings(CustomerUpdateParams.InvoiceSettings.builder()
                                        .setDefaultPaymentMethod("pm_card_visa")
                                        .build())
                                .build());
        Invoice paid = client.v1()
                .invoices()
                .pay(open.getId(), InvoicePayParams.builder().build());

        assertThat(paid.getStatus()).isEqualTo("paid");
        assertThat(paid.getAmountPaid()).isEqualTo(900L);
        assertThat(client.v1().subscriptions().retrieve(sub.getId()).getStatus())
                .isEqualTo("active");
        // One invoice payment and one PaymentIntent, confirmed again with the new card.
        List<InvoicePayment> payments = client.v1()
                .invoicePayments()
                .list(InvoicePaymentListParams.builder()
                        .setInvoice(open.getId())
                        .build())
                .getData();
        assertThat(payments)
                .singleElement()
                .satisfies(ip -> assertThat(ip.getStatus()).isEqualTo("paid"));
        assertThat(client.v1()
                        .paymentIntents()
                        .retrieve(payments.get(0).getPayment().getPaymentIntent())
                        .getStatus())
                .isEqualTo("succeeded");
        assertThat(fake.events("customer.subscription.updated"))
                .last()
                .satisfies(
                        e -> assertThat(e.at("/data/previous_attributes/status").asText())
                                .isEqualTo("past_due"));
    }

    @Test
    void shouldLeaveTheSubscriptionIncompleteWhenTheFirstPaymentIsDeclined() throws Exception {
        String customer = customer(null, null);
        Subscription sub = subscribe(customer, price(900), "pm_card_chargeDeclined");

        assertThat(sub.getStatus()).isEqualTo("incomplete");
        Invoice open = invoice(sub.getLatestInvoice());
        assertThat(open.getStatus()).isEqualTo("open");
        assertThat(fake.events("invoice.payment_failed")).hasSize(1);
        assertThat(fake.events("invoice.paid")).isEmpty();

        Invoice paid = client.v1()
                .invoices()
                .pay(
                        open.getId(),
                        InvoicePayParams.builder()
                                .setPaymentMethod("pm_card_visa")
                                .build());

        assertThat(paid.getStatus()).isEqualTo("paid");
        assertThat(client.v1().subscriptions().retrieve(sub.getId()).getStatus())
                .isEqualTo("active");
    }

    @Test
    void shouldLeaveTheFirstInvoiceOpenWithDefaultIncomplete() throws Exception {
        String customer = customer(null, "pm_card_visa");
        Subscription sub = client.v1()
                .subscriptions()
                .create(SubscriptionCreateParams.builder()
                        .setCustomer(customer)
                        .addItem(SubscriptionCreateParams.Item.builder()
                                .setPrice(price(900))
                                .build())
                        .setPaymentBehavior(SubscriptionCreateParams.PaymentBehavior.DEFAULT_INCOMPLETE)
                        .build());

        assertThat(sub.getStatus()).isEqualTo("incomplete");
        Invoice open = invoice(sub.getLatestInvoice());
        assertThat(open.getStatus()).isEqualTo("open");
        assertThat(open.getAttempted()).isFalse();

        client.v1().invoices().pay(open.getId(), InvoicePayParams.builder().build());

        assertThat(client.v1().subscriptions().retrieve(sub.getId()).getStatus())
                .isEqualTo("active");
    }

    @Test
    void shouldActivateWhenTheCustomerConfirmsTheInvoicesPaymentIntentWithItsConfirmationSecret() throws Exception {
        String customer = customer(null, null);
        Subscription sub = client.v1()
                .subscriptions()
                .create(SubscriptionCreateParams.builder()
                        .setCustomer(customer)
                        .addItem(SubscriptionCreateParams.Item.builder()
                                .setPrice(price(900))
                                .build())
                        .setPaymentBehavior(SubscriptionCreateParams.PaymentBehavior.DEFAULT_INCOMPLETE)
                        .addExpand("latest_invoice.confirmation_secret")
                        .build());
        String secret = sub.getLatestInvoiceObject().getConfirmationSecret().getClientSecret();
        String pi = secret.substring(0, secret.indexOf("_secret_"));
        StripeClient browser = Clients.withKey(fake, fake.publishableKey());

        assertThatThrownBy(() -> browser.v1()
                        .paymentIntents()
                        .confirm(
                                pi,
                                PaymentIntentConfirmParams.builder()
                                        .setPaymentMethod("pm_card_chargeDeclined")
                                        .putExtraParam("client_secret", secret)
                                        .build()))
                .isInstanceOf(CardException.class);
        assertThat(fake.events("invoice.payment_failed")).hasSize(1);
        PaymentIntent confirmed = browser.v1()
                .paymentIntents()
                .confirm(
                        pi,
                        PaymentIntentConfirmParams.builder()
                                .setPaymentMethod("pm_card_visa")
                                .putExtraParam("client_secret", secret)
                                .build());

        assertThat(confirmed.getStatus()).isEqualTo("succeeded");
        Invoice paid = invoice(sub.getLatestInvoice());
        assertThat(paid.getStatus()).isEqualTo("paid");
        assertThat(paid.getAttemptCount()).isEqualTo(2L);
        assertThat(client.v1().subscriptions().retrieve(sub.getId()).getStatus())
                .isEqualTo("active");
        assertThat(fake.events("invoice.paid")).hasSize(1);
        assertThat(fake.events("customer.subscription.updated"))
                .singleElement()
                .satisfies(
                        e -> assertThat(e.at("/data/previous_attributes/status").asText())
                                .isEqualTo("incomplete"));
    }

    @Test
    void shouldEndAtThePeriodEndWhenCanceledAtPeriodEnd() throws Exception {
        String clock = clock();
        Subscription sub = subscribe(customer(clock, null), price(900), "pm_card_visa");

        Subscription updated = client.v1()
                .subscriptions()
                .update(
                        sub.getId(),
                        SubscriptionUpdateParams.builder()
                                .setCancelAtPeriodEnd(true)
                                .build());

        assertThat(updated.getCancelAtPeriodEnd()).isTrue();
        assertThat(updated.getCancelAt()).isEqualTo(item(sub).getCurrentPeriodEnd());
        assertThat(updated.getStatus()).isEqualTo("active");
        assertThat(fake.events("customer.subscription.updated"))
                .singleElement()
                .satisfies(e -> assertThat(e.at("/data/previous_attributes/cancel_at_period_end")
                                .asBoolean(true))
                        .isFalse());

        advance(clock, START.plusMonths(2));

        Subscription ended = client.v1().subscriptions().retrieve(sub.getId());
        assertThat(ended.getStatus()).isEqualTo("canceled");
        assertThat(ended.getEndedAt()).isEqualTo(item(sub).getCurrentPeriodEnd());
        assertThat(fake.events("customer.subscription.deleted")).hasSize(1);
        assertThat(invoicesOf(sub.getId())).hasSize(1);
        assertThat(client.v1()
                        .subscriptions()
                        .list(SubscriptionListParams.builder().build())
                        .getData())
                .isEmpty();
        assertThat(client.v1()
                        .subscriptions()
                        .list(SubscriptionListParams.builder()
                                .setStatus(SubscriptionListParams.Status.CANCELED)
                                .build())
                        .getData())
                .extracting(Subscription::getId)
                .containsExactly(sub.getId());
    }

    @Test
    void shouldInvoiceAnUpgradeAtOnceWithAlwaysInvoice() throws Exception {
        String clock = clock();
        Subscription sub = subscribe(customer(clock, null), price(1000), "pm_card_visa");
        long start = item(sub).getCurrentPeriodStart();
        long end = item(sub).getCurrentPeriodEnd();
        ZonedDateTime half = Instant.ofEpochSecond(start + (end - start) / 2).atZone(ZoneOffset.UTC);
        advance(clock, half);
        String bigger = price(3000);

        Subscription upgraded = client.v1()
                .subscriptions()
                .update(
                        sub.getId(),
                        SubscriptionUpdateParams.builder()
                                .addItem(SubscriptionUpdateParams.Item.builder()
                                        .setId(item(sub).getId())
                                        .setPrice(bigger)
                                        .build())
                                .setProrationBehavior(SubscriptionUpdateParams.ProrationBehavior.ALWAYS_INVOICE)
                                .build());

        assertThat(item(upgraded).getPrice().getId()).isEqualTo(bigger);
        assertThat(item(upgraded).getCurrentPeriodEnd()).isEqualTo(end);
        Invoice proration = invoice(upgraded.getLatestInvoice());
        assertThat(proration.getBillingReason()).isEqualTo("subscription_update");
        assertThat(proration.getStatus()).isEqualTo("paid");
        assertThat(proration.getLines().getData())
                .extracting(l -> l.getAmount())
                .containsExactly(-500L, 1500L);
        assertThat(proration.getAmountPaid()).isEqualTo(1000L);
        assertThat(fake.events("customer.subscription.updated"))
                .last()
                .satisfies(
                        e -> assertThat(e.at("/data/previous_attributes/items").isObject())
                                .isTrue());

        Subscription switched = client.v1()
                .subscriptions()
                .update(
                        sub.getId(),
                        SubscriptionUpdateParams.builder()
                                .addItem(SubscriptionUpdateParams.Item.builder()
                                        .setId(item(sub).getId())
                                        .setPrice(price(500))
                                        .build())
                                .setProrationBehavior(SubscriptionUpdateParams.ProrationBehavior.NONE)
                                .build());

        assertThat(switched.getLatestInvoice()).isEqualTo(proration.getId());
    }

    @Test
    void shouldKeepTheInvoiceOpenWhileItsPaymentIsProcessing() throws Exception {
        fake.setAsyncCardPayments(true);
        Subscription sub = subscribe(customer(null, null), price(900), "pm_card_visa");

        assertThat(sub.getStatus()).isEqualTo("incomplete");
        Invoice open = invoice(sub.getLatestInvoice());
        assertThat(open.getStatus()).isEqualTo("open");
        assertThat(fake.events("invoice.payment_failed")).isEmpty();
        String pi = client.v1()
                .invoicePayments()
                .list(InvoicePaymentListParams.builder()
                        .setInvoice(open.getId())
                        .build())
                .getData()
                .get(0)
                .getPayment()
                .getPaymentIntent();

        fake.completeProcessing(pi, true);

        assertThat(invoice(open.getId()).getStatus()).isEqualTo("paid");
        assertThat(client.v1().subscriptions().retrieve(sub.getId()).getStatus())
                .isEqualTo("active");
    }

    @Test
    void shouldPayTheInvoiceWhenItsThreeDSecurePaymentIsAuthenticated() throws Exception {
        Subscription sub = subscribe(customer(null, null), price(900), "pm_card_authenticationRequired");

        assertThat(sub.getStatus()).isEqualTo("incomplete");
        assertThat(fake.events("invoice.payment_failed")).hasSize(1);
        String pi = client.v1()
                .invoicePayments()
                .list(InvoicePaymentListParams.builder()
                        .setInvoice(sub.getLatestInvoice())
                        .build())
                .getData()
                .get(0)
                .getPayment()
                .getPaymentIntent();
        assertThat(client.v1().paymentIntents().retrieve(pi).getStatus()).isEqualTo("requires_action");

        fake.authenticate(pi, true);

        assertThat(invoice(sub.getLatestInvoice()).getStatus()).isEqualTo("paid");
        assertThat(client.v1().subscriptions().retrieve(sub.getId()).getStatus())
                .isEqualTo("active");
    }

    @Test
    void shouldCancelAtOnce() throws Exception {
        Subscription sub = subscribe(customer(null, null), price(900), "pm_card_visa");

        Subscription canceled = client.v1()
                .subscriptions()
                .cancel(sub.getId(), SubscriptionCancelParams.builder().build());

        assertThat(canceled.getStatus()).isEqualTo("canceled");
        assertThat(canceled.getCanceledAt()).isNotNull();
        assertThat(canceled.getEndedAt()).isNotNull();
        assertThat(fake.events("customer.subscription.deleted")).hasSize(1);
    }

    @Test
    void shouldCreateNothingWhenErrorIfIncompleteMeetsADecline() throws Exception {
        String customer = customer(null, null);
        String price = price(900);

        assertThatThrownBy(() -> client.v1()
                        .subscriptions()
                        .create(SubscriptionCreateParams.builder()
                                .setCustomer(customer)
                                .addItem(SubscriptionCreateParams.Item.builder()
                                        .setPrice(price)
                                        .build())
                                .setDefaultPaymentMethod("pm_card_chargeDeclinedInsufficientFunds")
                                .setPaymentBehavior(SubscriptionCreateParams.PaymentBehavior.ERROR_IF_INCOMPLETE)
                                .build()))
                .isInstanceOfSatisfying(
                        CardException.class, e -> assertThat(e.getDeclineCode()).isEqualTo("insufficient_funds"));

        assertThat(fake.objects("subscription")).isEmpty();
        assertThat(fake.objects("invoice")).isEmpty();
    }

    @Test
    void shouldCancelTheSubscriptionsOfADeletedCustomer() throws Exception {
        String customer = customer(null, null);
        Subscription sub = subscribe(customer, price(900), "pm_card_visa");

        client.v1().customers().delete(customer);

        assertThat(client.v1().subscriptions().retrieve(sub.getId()).getStatus())
                .isEqualTo("canceled");
        assertThat(fake.eventTypes()).containsSubsequence("customer.subscription.deleted", "customer.deleted");
    }

    @Test
    void shouldShowPeriodsAndTheSubscriptionAtTheTopForVersionsBeforeBasil() throws Exception {
        fake.setApiVersion("2024-06-20");
        Subscription sub = subscribe(customer(null, null), price(900), "pm_card_visa");

        JsonNode raw = MAPPER.readTree(
                client.rawRequest(ApiResource.RequestMethod.GET, "/v1/subscriptions/" + sub.getId(), null)
                        .body());
        JsonNode invoice = MAPPER.readTree(
                client.rawRequest(ApiResource.RequestMethod.GET, "/v1/invoices/" + sub.getLatestInvoice(), null)
                        .body());

        assertThat(raw.get("current_period_end").asLong()).isEqualTo(item(sub).getCurrentPeriodEnd());
        assertThat(raw.get("current_period_start").asLong()).isEqualTo(item(sub).getCurrentPeriodStart());
        assertThat(invoice.get("subscription").asText()).isEqualTo(sub.getId());
        assertThat(invoice.get("paid").asBoolean()).isTrue();
        assertThat(invoice.get("payment_intent").asText()).startsWith("pi_");
        assertThat(invoice.get("charge").asText()).startsWith("ch_");
        assertThat(invoice.at("/lines/data/0/subscription").asText()).isEqualTo(sub.getId());
        assertThat(invoice.at("/lines/data/0/price/id").asText())
                .isEqualTo(item(sub).getPrice().getId());
        JsonNode pi = MAPPER.readTree(client.rawRequest(
                        ApiResource.RequestMethod.GET,
                        "/v1/payment_intents/" + invoice.get("payment_intent").asText(),
                        null)
                .body());
        assertThat(pi.get("invoice").asText()).isEqualTo(sub.getLatestInvoice());
        assertThat(fake.events("invoice.paid")
                        .get(0)
                        .at("/data/object/subscription")
                        .asText())
                .isEqualTo(sub.getId());
    }

    /** A clock a test moves by hand, as the builder's {@code .clock(Clock)} accepts. */
    private static final class MovableClock extends Clock {
        private volatile Instant now;

        MovableClock(Instant now) {
            this.now = now;
        }

        void set(Instant to) {
            now = to;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void shouldRenewByFakeStripesOwnClockWhenAskedTo() throws Exception {
        MovableClock time = new MovableClock(START.toInstant());
        try (FakeStripe own = FakeStripe.builder().clock(time).start()) {
            StripeClient stripe = Clients.secret(own);
            String customer = stripe.v1()
                    .customers()
                    .create(CustomerCreateParams.builder().build())
                    .getId();
            String price = stripe.v1()
                    .prices()
                    .create(PriceCreateParams.builder()
                            .setCurrency("usd")
                            .setUnitAmount(900L)
                            .setProductData(PriceCreateParams.ProductData.builder()
                                    .setName("Pro")
                                    .build())
                            .setRecurring(PriceCreateParams.Recurring.builder()
                                    .setInterval(PriceCreateParams.Recurring.Interval.YEAR)
                                    .build())
                            .build())
                    .getId();
            Subscription sub = stripe.v1()
                    .subscriptions()
                    .create(SubscriptionCreateParams.builder()
                            .setCustomer(customer)
                            .addItem(SubscriptionCreateParams.Item.builder()
                                    .setPrice(price)
                                    .build())
                            .setDefaultPaymentMethod("pm_card_visa")
                            .build());
            assertThat(item(sub).getCurrentPeriodEnd())
                    .isEqualTo(START.plusYears(1).toEpochSecond());

            own.runDueRenewals();
            assertThat(own.events("invoice.created")).hasSize(1);

            time.set(START.plusYears(2).toInstant());
            own.runDueRenewals();

            Subscription renewed = stripe.v1().subscriptions().retrieve(sub.getId());
            assertThat(item(renewed).getCurrentPeriodEnd())
                    .isEqualTo(START.plusYears(3).toEpochSecond());
            assertThat(own.events("invoice.paid")).hasSize(3);
        }
    }

    @Test
    void shouldRefuseToMoveAClockBackwards() throws Exception {
        String clock = clock();

        assertThatThrownBy(() -> advance(clock, START.minus(Duration.ofHours(1))))
                .isInstanceOf(com.stripe.exception.InvalidRequestException.class)
                .hasMessageContaining("frozen_time");
    }
}
