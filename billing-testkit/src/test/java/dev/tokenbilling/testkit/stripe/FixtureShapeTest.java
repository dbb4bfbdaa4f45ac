package dev.tokenbilling.testkit.stripe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.stripe.StripeClient;
import com.stripe.model.PaymentIntent;
import com.stripe.model.Price;
import com.stripe.model.Product;
import com.stripe.model.Subscription;
import com.stripe.net.ApiResource;
import com.stripe.param.CustomerCreateParams;
import com.stripe.param.PaymentIntentCancelParams;
import com.stripe.param.PaymentIntentConfirmParams;
import com.stripe.param.PaymentIntentCreateParams;
import com.stripe.param.PaymentMethodCreateParams;
import com.stripe.param.PriceCreateParams;
import com.stripe.param.ProductCreateParams;
import com.stripe.param.ProductUpdateParams;
import com.stripe.param.RefundCreateParams;
import com.stripe.param.SetupIntentCreateParams;
import com.stripe.param.SubscriptionCreateParams;
import com.stripe.param.WebhookEndpointCreateParams;
import com.stripe.param.testhelpers.TestClockAdvanceParams;
import com.stripe.param.testhelpers.TestClockCreateParams;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Holds every kind of object FakeStripe returns against Stripe's own fixture of that kind
 * ({@code src/test/resources/stripe/fixtures3.json}, copied from Stripe's OpenAPI repository): every field the fixture has
 * must be there with the same JSON type. A field may be null only where the fixture has null or where
 * Stripe's API declares it nullable (listed below); those declared nullable that FakeStripe emulates
 * must also show up filled, with the right type, in the state that fills them.
 */
class FixtureShapeTest {
    @RegisterExtension
    static final FakeStripeExtension STRIPE = new FakeStripeExtension();

    /** Fields Stripe's API declares nullable although the fixture shows a value. */
    private static final Map<String, Set<String>> NULLABLE = Map.ofEntries(
            Map.entry(
                    "payment_intent",
                    Set.of(
                            "automatic_payment_methods",
                            "canceled_at",
                            "last_payment_error",
                            "next_action",
                            "payment_method_configuration_details",
                            "processing",
                            "shipping",
                            "transfer_data")),
            Map.entry(
                    "charge",
                    Set.of(
                            "balance_transaction",
                            "billing_details.name",
                            "description",
                            "receipt_url",
                            "shipping",
                            "source",
                            "transfer_data",
                            "payment_method_details.card.installments",
                            "payment_method_details.card.three_d_secure",
                            "payment_method_details.card.wallet")),
            Map.entry(
                    "customer",
                    Set.of("address", "currency", "discount", "shipping", "invoice_settings.rendering_options")),
            Map.entry(
                    "price",
                    Set.of(
                            "custom_unit_amount",
                            "recurring",
                            "transform_quantity",
                            "unit_amount",
                            "unit_amount_decimal")),
            Map.entry("product", Set.of("default_price", "description", "package_dimensions")),
            Map.entry(
                    "payment_method",
                    Set.of(
                            "card.generated_from",
                            "card.wallet",
                            "billing_details.email",
                            "billing_details.phone",
                            "billing_details.address.city",
                            "billing_details.address.country",
                            "billing_details.address.line1",
                            "billing_details.address.postal_code",
                            "billing_details.address.state")),
            Map.entry("webhook_endpoint", Set.of("description")),
            Map.entry("balance_transaction", Set.of("description")),
            Map.entry("refund", Set.of()),
            Map.entry("event", Set.of()),
            Map.entry("dispute", Set.of()),
            Map.entry(
                    "subscription",
                    Set.of(
                            "automatic_tax.liability",
                            "billing_cycle_anchor_config",
                            "billing_mode.flexible",
                            "billing_thresholds",
                            "cancel_at",
                            "canceled_at",
                            "ended_at",
                            "items.data[].billing_thresholds",
                            "items.data[].plan.transform_usage",
                            "items.data[].price.custom_unit_amount",
                            "items.data[].price.transform_quantity",
                            "next_pending_invoice_item_invoice",
                            "pause_collection",
                            "payment_settings.payment_method_options",
                            "pending_invoice_item_interval",
                            "pending_update",
                            "transfer_data",
                            "trial_end",
                            "trial_start")),
            Map.entry(
                    "invoice",
                    Set.of(
                            "automatic_tax.liability",
                            "customer_address",
                            "customer_shipping",
                            "due_date",
                            "effective_at",
                            "from_invoice",
                            "last_finalization_error",
                            "lines.data[].parent.invoice_item_details",
                            "lines.data[].parent.subscription_item_details.proration_details.credited_items",
                            "next_payment_attempt",
                            "parent.quote_details",
                            "payment_settings.payment_method_options",
                            "shipping_cost",
                            "shipping_details",
                            "webhooks_delivered_at")),
            Map.entry("test_helpers.test_clock", Set.of()),
            Map.entry(
                    "checkout.session",
                    Set.of(
                            "after_expiration",
                            "automatic_tax.liability",
                            "cancel_url",
                            "invoice_creation.invoice_data.issuer",
                            "invoice_creation.invoice_data.rendering_options",
                            "collected_information",
                            "consent",
                            "consent_collection",
                            "currency_conversion",
                            "custom_text.after_submit",
                            "custom_text.shipping_address",
                            "custom_text.submit",
                            "custom_text.terms_of_service_acceptance",
                            "customer_details",
                            "invoice_creation",
                            "payment_intent",
                            "payment_method_configuration_details",
                            "permissions",
                            "shipping_address_collection",
                            "shipping_cost",
                            "url",
                            "wallet_options")),
            Map.entry("billing_portal.session", Set.of("flow")),
            Map.entry("invoice_payment", Set.of()),
            Map.entry(
                    "setup_intent",
                    Set.of(
                            "automatic_payment_methods",
                            "last_setup_error",
                            "next_action",
                            "payment_method_configuration_details")));

    /** Nullable fields FakeStripe fills in some state: each must be seen filled at least once. */
    private static final Map<String, Set<String>> MUST_BE_SEEN_FILLED = Map.ofEntries(
            Map.entry(
                    "payment_intent",
                    Set.of(
                            "automatic_payment_methods",
                            "canceled_at",
                            "last_payment_error",
                            "next_action",
                            "payment_method_configuration_details",
                            "processing",
                            "shipping")),
            Map.entry(
                    "charge",
                    Set.of(
                            "balance_transaction",
                            "billing_details.name",
                            "description",
                            "receipt_url",
                            "shipping",
                            "payment_method_details.card.three_d_secure")),
            Map.entry(
                    "payment_method",
                    Set.of(
                            "billing_details.email",
                            "billing_details.phone",
                            "billing_details.address.city",
                            "billing_details.address.country",
                            "billing_details.address.line1",
                            "billing_details.address.postal_code",
                            "billing_details.address.state")),
            Map.entry("customer", Set.of("address")),
            Map.entry("subscription", Set.of("cancel_at", "canceled_at", "ended_at")),
            Map.entry("invoice", Set.of("effective_at")),
            Map.entry("price", Set.of("custom_unit_amount", "recurring")),
            Map.entry("product", Set.of("default_price", "description", "package_dimensions")),
            Map.entry("webhook_endpoint", Set.of("description")),
            Map.entry("balance_transaction", Set.of("description")),
            Map.entry("checkout.session", Set.of("customer_details", "invoice_creation", "payment_intent", "url")),
            Map.entry(
                    "setup_intent",
                    Set.of(
                            "automatic_payment_methods",
                            "last_setup_error",
                            "next_action",
                            "payment_method_configuration_details")));

    private static JsonNode fixtures;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @BeforeAll
    static void loadFixtures() throws IOException {
        try (InputStream in = FixtureShapeTest.class.getResourceAsStream("/stripe/fixtures3.json")) {
            fixtures = MAPPER.readTree(in).get("resources");
        }
    }

    private final Map<String, Set<String>> seenFilled = new HashMap<>();
    private final List<JsonNode> portalSessions = new ArrayList<>();
    private final Set<String> problems = new java.util.TreeSet<>();

    private void fail(String format, Object... args) {
        problems.add(String.format(format, args));
    }

    @Test
    void shouldMatchStripesFixtureForEveryObjectKind(FakeStripe fake) throws Exception {
        fake.reset();
        StripeClient client = Clients.secret(fake);
        List<String[]> samples = new ArrayList<>(); // {kind, path}

        // Products and prices
        Product plain = client.v1()
                .products()
                .create(ProductCreateParams.builder().setName("Plain").build());
        Product full = client.v1()
                .products()
                .create(ProductCreateParams.builder()
                        .setName("Full")
                        .setDescription("500k tokens")
                        .putMetadata("slug", "booster")
                        .setPackageDimensions(ProductCreateParams.PackageDimensions.builder()
                                .setHeight(java.math.BigDecimal.ONE)
                                .setLength(java.math.BigDecimal.TEN)
                                .setWeight(java.math.BigDecimal.ONE)
                                .setWidth(java.math.BigDecimal.TEN)
                                .build())
                        .setDefaultPriceData(ProductCreateParams.DefaultPriceData.builder()
                                .setCurrency("usd")
                                .setUnitAmount(2000L)
                                .build())
                        .build());
        Price recurring = client.v1()
                .prices()
                .create(PriceCreateParams.builder()
                        .setProduct(plain.getId())
                        .setCurrency("usd")
                        .setUnitAmount(900L)
                        .setLookupKey("monthly")
                        .setRecurring(PriceCreateParams.Recurring.builder()
                                .setInterval(PriceCreateParams.Recurring.Interval.MONTH)
                                .build())
                        .build());
        Price custom = client.v1()
                .prices()
                .create(PriceCreateParams.builder()
                        .setProduct(plain.getId())
                        .setCurrency("usd")
                        .setCustomUnitAmount(PriceCreateParams.CustomUnitAmount.builder()
                                .setEnabled(true)
                                .setMinimum(100L)
                                .setMaximum(10000L)
                                .build())
                        .build());
        client.v1()
                .products()
                .update(
                        plain.getId(),
                        ProductUpdateParams.builder()
                                .setDefaultPrice(recurring.getId())
                                .build());
        samples.add(new String[] {"product", "/v1/products/" + plain.getId()});
        samples.add(new String[] {"product", "/v1/products/" + full.getId()});
        samples.add(new String[] {"price", "/v1/prices/" + recurring.getId()});
        samples.add(new String[] {"price", "/v1/prices/" + custom.getId()});
        samples.add(new String[] {"price", "/v1/prices/" + full.getDefaultPrice()});

        // Customer
        String customer = client.v1()
                .customers()
                .create(CustomerCreateParams.builder()
                        .setEmail("a@example.com")
                        .setName("A")
                        .setAddress(CustomerCreateParams.Address.builder()
                                .setCountry("NZ")
                                .setCity("Chatham")
                                .build())
                        .build())
                .getId();
        samples.add(new String[] {"customer", "/v1/customers/" + customer});

        // PaymentIntents in every state
        PaymentIntent fresh = newIntent(client, customer, true);
        PaymentIntent canceled = client.v1()
                .paymentIntents()
                .cancel(
                        newIntent(client, null, false).getId(),
                        PaymentIntentCancelParams.builder().build());
        PaymentIntent declined = newIntent(client, null, false);
        assertThatThrownBy(() -> confirm(client, declined.getId(), "pm_card_chargeDeclined"))
                .isInstanceOf(com.stripe.exception.CardException.class);
        PaymentIntent action =
                confirm(client, newIntent(client, null, false).getId(), "pm_card_authenticationRequired");
        PaymentIntent authenticated =
                confirm(client, newIntent(client, null, false).getId(), "pm_card_authenticationRequired");
        fake.authenticate(authenticated.getId(), true);
        fake.setAsyncCardPayments(true);
        PaymentIntent processing =
                confirm(client, newIntent(client, null, false).getId(), "pm_card_visa");
        fake.setAsyncCardPayments(false);
        PaymentIntent succeeded = confirm(client, fresh.getId(), "pm_card_visa");
        for (PaymentIntent pi : List.of(fresh, canceled, declined, action, processing, succeeded, authenticated)) {
            samples.add(new String[] {"payment_intent", "/v1/payment_intents/" + pi.getId()});
        }
        String declinedCharge =
                client.v1().paymentIntents().retrieve(declined.getId()).getLatestCharge();
        String authCharge =
                client.v1().paymentIntents().retrieve(authenticated.getId()).getLatestCharge();
        samples.add(new String[] {"charge", "/v1/charges/" + succeeded.getLatestCharge()});
        samples.add(new String[] {"charge", "/v1/charges/" + declinedCharge});
        samples.add(new String[] {"charge", "/v1/charges/" + authCharge});
        samples.add(new String[] {"payment_method", "/v1/payment_methods/" + succeeded.getPaymentMethod()});
        String detailed = client.v1()
                .paymentMethods()
                .create(PaymentMethodCreateParams.builder()
                        .setType(PaymentMethodCreateParams.Type.CARD)
                        .setCard(PaymentMethodCreateParams.CardDetails.builder()
                                .setNumber(TestCards.VISA)
                                .setExpMonth(8L)
                                .setExpYear(2040L)
                                .setCvc("123")
                                .build())
                        .setBillingDetails(PaymentMethodCreateParams.BillingDetails.builder()
                                .setName("Jenny Rosen")
                                .setEmail("jenny@example.com")
                                .setPhone("+15555555555")
                                .setAddress(PaymentMethodCreateParams.BillingDetails.Address.builder()
                                        .setCity("San Francisco")
                                        .setCountry("US")
                                        .setLine1("1 Main St")
                                        .setPostalCode("94102")
                                        .setState("CA")
                                        .build())
                                .build())
                        .build())
                .getId();
        samples.add(new String[] {"payment_method", "/v1/payment_methods/" + detailed});
        PaymentIntent withDetails = client.v1()
                .paymentIntents()
                .create(PaymentIntentCreateParams.builder()
                        .setAmount(1000L)
                        .setCurrency("usd")
                        .setDescription("tokens")
                        .setPaymentMethod(detailed)
                        .setConfirm(true)
                        .build());
        samples.add(new String[] {"charge", "/v1/charges/" + withDetails.getLatestCharge()});

        // SetupIntents: saved, waiting for 3-D Secure, declined, canceled
        for (String card : List.of("pm_card_visa", "pm_card_authenticationRequiredOnSetup", "pm_card_chargeDeclined")) {
            SetupIntentCreateParams params = SetupIntentCreateParams.builder()
                    .setCustomer(customer)
                    .setPaymentMethod(card)
                    .setConfirm(true)
                    .build();
            try {
                client.v1().setupIntents().create(params);
            } catch (com.stripe.exception.CardException declinedSetup) {
                // kept with its last_setup_error
            }
        }
        client.v1()
                .setupIntents()
                .cancel(client.v1()
                        .setupIntents()
                        .create(SetupIntentCreateParams.builder()
                                .addPaymentMethodType("card")
                                .build())
                        .getId());
        for (JsonNode setupIntent : fake.objects("setup_intent")) {
            samples.add(new String[] {
                "setup_intent", "/v1/setup_intents/" + setupIntent.get("id").asText()
            });
        }

        // Refund, dispute, balance transactions
        String refund = client.v1()
                .refunds()
                .create(RefundCreateParams.builder()
                        .setPaymentIntent(succeeded.getId())
                        .setAmount(100L)
                        .build())
                .getId();
        samples.add(new String[] {"refund", "/v1/refunds/" + refund});
        samples.add(new String[] {"charge", "/v1/charges/" + succeeded.getLatestCharge()});
        String dispute = fake.openDispute(authenticated.getId()).get("id").asText();
        samples.add(new String[] {"dispute", "/v1/disputes/" + dispute});
        fake.winDispute(dispute);
        samples.add(new String[] {"dispute", "/v1/disputes/" + dispute});
        for (JsonNode txn : fake.objects("balance_transaction")) {
            samples.add(new String[] {
                "balance_transaction",
                "/v1/balance_transactions/" + txn.get("id").asText()
            });
        }

        // Test clock, subscriptions and their invoices (paid, open, proration)
        String clock = client.v1()
                .testHelpers()
                .testClocks()
                .create(TestClockCreateParams.builder()
                        .setFrozenTime(1_767_225_600L)
                        .setName("shapes")
                        .build())
                .getId();
        String subscriber = client.v1()
                .customers()
                .create(CustomerCreateParams.builder()
                        .setTestClock(clock)
                        .setInvoiceSettings(CustomerCreateParams.InvoiceSettings.builder()
                                .setDefaultPaymentMethod("pm_card_visa")
                                .build())
                        .build())
                .getId();
        Subscription active = client.v1()
                .subscriptions()
                .create(SubscriptionCreateParams.builder()
                        .setCustomer(subscriber)
                        .addItem(SubscriptionCreateParams.Item.builder()
                                .setPrice(recurring.getId())
                                .build())
                        .build());
        Subscription ending = client.v1()
                .subscriptions()
                .create(SubscriptionCreateParams.builder()
                        .setCustomer(subscriber)
                        .addItem(SubscriptionCreateParams.Item.builder()
                                .setPrice(recurring.getId())
                                .build())
                        .setCancelAtPeriodEnd(true)
                        .setDefaultPaymentMethod("pm_card_chargeDeclined")
                        .build());
        client.v1()
                .testHelpers()
                .testClocks()
                .advance(
                        clock,
                        TestClockAdvanceParams.builder()
                                .setFrozenTime(1_767_225_600L + 40L * 86_400)
                                .build());
        samples.add(new String[] {"test_helpers.test_clock", "/v1/test_helpers/test_clocks/" + clock});
        samples.add(new String[] {"subscription", "/v1/subscriptions/" + active.getId()});
        samples.add(new String[] {"subscription", "/v1/subscriptions/" + ending.getId()});
        String openSession = client.v1()
                .checkout()
                .sessions()
                .create(com.stripe.param.checkout.SessionCreateParams.builder()
                        .setMode(com.stripe.param.checkout.SessionCreateParams.Mode.SUBSCRIPTION)
                        .addLineItem(com.stripe.param.checkout.SessionCreateParams.LineItem.builder()
                                .setPrice(recurring.getId())
                                .setQuantity(1L)
                                .build())
                        .setSuccessUrl("https://example.com/success")
                        .setCancelUrl("https://example.com/cancel")
                        .build())
                .getId();
        String paidSession = client.v1()
                .checkout()
                .sessions()
                .create(com.stripe.param.checkout.SessionCreateParams.builder()
                        .setMode(com.stripe.param.checkout.SessionCreateParams.Mode.PAYMENT)
                        .addLineItem(com.stripe.param.checkout.SessionCreateParams.LineItem.builder()
                                .setPrice(full.getDefaultPrice())
                                .setQuantity(1L)
                                .build())
                        .setCustomer(customer)
                        .setClientReferenceId("user-1")
                        .setSuccessUrl("https://example.com/success")
                        .build())
                .getId();
        fake.completeCheckout(paidSession, "pm_card_visa");
        samples.add(new String[] {"checkout.session", "/v1/checkout/sessions/" + openSession});
        samples.add(new String[] {"checkout.session", "/v1/checkout/sessions/" + paidSession});
        String portal = client.v1()
                .billingPortal()
                .sessions()
                .create(com.stripe.param.billingportal.SessionCreateParams.builder()
                        .setCustomer(subscriber)
                        .setReturnUrl("https://example.com/account")
                        .build())
                .getRawJsonObject()
                .toString();
        portalSessions.add(MAPPER.readTree(portal));
        for (JsonNode payment : fake.objects("invoice_payment")) {
            samples.add(new String[] {
                "invoice_payment", "/v1/invoice_payments/" + payment.get("id").asText()
            });
        }
        for (JsonNode invoice : fake.objects("invoice")) {
            samples.add(
                    new String[] {"invoice", "/v1/invoices/" + invoice.get("id").asText()});
        }

        // Webhook endpoint and events
        String endpoint = client.v1()
                .webhookEndpoints()
                .create(WebhookEndpointCreateParams.builder()
                        .setUrl("http://127.0.0.1:1/none")
                        .setDescription("app")
                        .addEnabledEvent(WebhookEndpointCreateParams.EnabledEvent.ALL)
                        .build())
                .getId();
        samples.add(new String[] {"webhook_endpoint", "/v1/webhook_endpoints/" + endpoint});
        for (JsonNode event : fake.events()) {
            samples.add(new String[] {"event", "/v1/events/" + event.get("id").asText()});
        }

        Set<String> kinds = new HashSet<>();
        for (String[] sample : samples) {
            String body = client.rawRequest(ApiResource.RequestMethod.GET, sample[1], null)
                    .body();
            JsonNode actual = MAPPER.readTree(body);
            assertThat(actual.get("object").asText()).as(sample[1]).isEqualTo(sample[0]);
            compare(sample[0], "", fixtures.get(sample[0]), actual, sample[1]);
            kinds.add(sample[0]);
        }

        for (JsonNode session : portalSessions) {
            // Stripe has no GET for portal sessions: the create answer is the one to hold.
            compare("billing_portal.session", "", fixtures.get("billing_portal.session"), session, "create");
            kinds.add("billing_portal.session");
        }

        assertThat(problems).as("differences from Stripe's fixtures").isEmpty();
        assertThat(kinds).containsExactlyInAnyOrderElementsOf(NULLABLE.keySet());
        MUST_BE_SEEN_FILLED.forEach((kind, fields) -> assertThat(seenFilled.getOrDefault(kind, Set.of()))
                .as("nullable fields of %s seen filled", kind)
                .containsAll(fields));
    }

    private static PaymentIntent newIntent(StripeClient client, String customer, boolean shipping) throws Exception {
        PaymentIntentCreateParams.Builder b = PaymentIntentCreateParams.builder()
                .setAmount(2000L)
                .setCurrency("usd")
                .putMetadata("purchase_id", "1");
        if (customer != null) {
            b.setCustomer(customer);
        }
        if (shipping) {
            b.setShipping(PaymentIntentCreateParams.Shipping.builder()
                    .setName("A")
                    .setAddress(PaymentIntentCreateParams.Shipping.Address.builder()
                            .setCountry("NZ")
                            .build())
                    .build());
        }
        return client.v1().paymentIntents().create(b.build());
    }

    private static PaymentIntent confirm(StripeClient client, String id, String pm) throws Exception {
        return client.v1()
                .paymentIntents()
                .confirm(
                        id,
                        PaymentIntentConfirmParams.builder()
                                .setPaymentMethod(pm)
                                .build());
    }

    private void compare(String kind, String path, JsonNode fixture, JsonNode actual, String where) {
        fixture.fieldNames().forEachRemaining(field -> {
            String fieldPath = path.isEmpty() ? field : path + "." + field;
            if (!actual.has(field)) {
                fail("%s (%s): field %s is missing", kind, where, fieldPath);
                return;
            }
            JsonNode expected = fixture.get(field);
            JsonNode value = actual.get(field);
            if (expected.isNull()) {
                return;
            }
            if (value.isNull()) {
                if (!NULLABLE.get(kind).contains(fieldPath)) {
                    fail("%s (%s): %s is null where Stripe sends %s", kind, where, fieldPath, expected.getNodeType());
                }
                return;
            }
            seenFilled.computeIfAbsent(kind, k -> new HashSet<>()).add(fieldPath);
            if (expected.getNodeType() != value.getNodeType()) {
                fail(
                        "%s (%s): %s is %s where Stripe sends %s",
                        kind, where, fieldPath, value.getNodeType(), expected.getNodeType());
                return;
            }
            if (kind.equals("event") && fieldPath.equals("data.object")) {
                return; // the fixture's event carries a plan; ours carry our objects, checked above.
            }
            if (field.equals("metadata")) {
                return; // free-form keys
            }
            if (expected.isObject()) {
                compare(kind, fieldPath, expected, value, where);
            } else if (expected.isArray() && expected.size() > 0 && value.size() > 0) {
                if (expected.get(0).getNodeType() != value.get(0).getNodeType()) {
                    fail(
                            "%s (%s): elements of %s are %s where Stripe sends %s",
                            kind,
                            where,
                            fieldPath,
                            value.get(0).getNodeType(),
                            expected.get(0).getNodeType());
                }
                if (expected.get(0).isObject()) {
                    compare(kind, fieldPath + "[]", expected.get(0), value.get(0), where);
                }
            }
        });
    }
}
