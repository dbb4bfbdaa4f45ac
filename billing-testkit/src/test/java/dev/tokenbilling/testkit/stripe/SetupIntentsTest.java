package dev.tokenbilling.testkit.stripe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.stripe.StripeClient;
import com.stripe.exception.CardException;
import com.stripe.exception.InvalidRequestException;
import com.stripe.model.PaymentIntent;
import com.stripe.model.PaymentMethod;
import com.stripe.model.SetupIntent;
import com.stripe.model.Subscription;
import com.stripe.param.CustomerCreateParams;
import com.stripe.param.CustomerUpdateParams;
import com.stripe.param.PaymentIntentCreateParams;
import com.stripe.param.PaymentMethodCreateParams;
import com.stripe.param.PriceCreateParams;
import com.stripe.param.SetupIntentCancelParams;
import com.stripe.param.SetupIntentConfirmParams;
import com.stripe.param.SetupIntentCreateParams;
import com.stripe.param.SetupIntentListParams;
import com.stripe.param.SetupIntentRetrieveParams;
import com.stripe.param.SubscriptionCreateParams;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Saving a card for later with a SetupIntent, then charging it off-session. */
class SetupIntentsTest {
    @RegisterExtension
    static final FakeStripeExtension STRIPE = new FakeStripeExtension().resettingBeforeEach();

    private FakeStripe fake;
    private StripeClient client;
    private String customer;

    @BeforeEach
    void setUp(FakeStripe fake) throws Exception {
        this.fake = fake;
        this.client = Clients.secret(fake);
        this.customer = client.v1()
                .customers()
                .create(CustomerCreateParams.builder().build())
                .getId();
    }

    private SetupIntent setUp(String paymentMethod) throws Exception {
        return client.v1()
                .setupIntents()
                .create(SetupIntentCreateParams.builder()
                        .setCustomer(customer)
                        .setPaymentMethod(paymentMethod)
                        .setConfirm(true)
                        .putMetadata("user_id", "u-7")
                        .build());
    }

    private PaymentIntent payOffSession(String paymentMethod) throws Exception {
        return client.v1()
                .paymentIntents()
                .create(PaymentIntentCreateParams.builder()
                        .setAmount(900L)
                        .setCurrency("usd")
                        .setCustomer(customer)
                        .setPaymentMethod(paymentMethod)
                        .setOffSession(true)
                        .setConfirm(true)
                        .build());
    }

    @Test
    void shouldSaveACardToTheCustomerListItAndDetachIt() throws Exception {
        SetupIntent si = setUp("pm_card_visa");

        assertThat(si.getId()).startsWith("seti_");
        assertThat(si.getStatus()).isEqualTo("succeeded");
        assertThat(si.getUsage()).isEqualTo("off_session");
        assertThat(si.getCustomer()).isEqualTo(customer);
        assertThat(si.getMetadata()).containsEntry("user_id", "u-7");
        assertThat(si.getClientSecret()).startsWith(si.getId() + "_secret_");
        assertThat(si.getPaymentMethodTypes()).containsExactly("card");
        assertThat(fake.eventTypes())
                .containsExactly(
                        "customer.created",
                        "setup_intent.created",
                        "payment_method.attached",
                        "setup_intent.succeeded");
        PaymentMethod saved = client.v1()
                .customers()
                .paymentMethods()
                .list(customer)
                .getData()
                .get(0);
        assertThat(saved.getId()).isEqualTo(si.getPaymentMethod());
        assertThat(saved.getCard().getLast4()).isEqualTo("4242");
        assertThat(fake.objects("charge")).isEmpty();

        client.v1().paymentMethods().detach(saved.getId());

        assertThat(client.v1().customers().paymentMethods().list(customer).getData())
                .isEmpty();
        assertThat(fake.eventTypes()).endsWith("payment_method.detached");
    }

    @Test
    void shouldConfirmWithThePublishableKeyAndClientSecretAsStripeJsDoes() throws Exception {
        StripeClient browser = Clients.withKey(fake, fake.publishableKey());
        SetupIntent si = client.v1()
                .setupIntents()
                .create(SetupIntentCreateParams.builder()
                        .setCustomer(customer)
                        .setAutomaticPaymentMethods(SetupIntentCreateParams.AutomaticPaymentMethods.builder()
                                .setEnabled(true)
                                .build())
                        .build());
        assertThat(si.getStatus()).isEqualTo("requires_payment_method");
        assertThat(si.getAutomaticPaymentMethods().getEnabled()).isTrue();
        PaymentMethod card = browser.v1()
                .paymentMethods()
                .create(PaymentMethodCreateParams.builder()
                        .setType(PaymentMethodCreateParams.Type.CARD)
                        .setCard(PaymentMethodCreateParams.CardDetails.builder()
                                .setNumber(TestCards.MASTERCARD)
                                .setExpMonth(9L)
                                .setExpYear(2041L)
                                .setCvc("123")
                                .build())
                        .build());

        SetupIntent confirmed = browser.v1()
                .setupIntents()
                .confirm(
                        si.getId(),
                        SetupIntentConfirmParams.builder()
                                .setPaymentMethod(card.getId())
                                .putExtraParam("client_secret", si.getClientSecret())
                                .build());
        SetupIntent polled = browser.v1()
                .setupIntents()
                .retrieve(
                        si.getId(),
                        SetupIntentRetrieveParams.builder()
                                .setClientSecret(si.getClientSecret())
                                .build());

        assertThat(confirmed.getStatus()).isEqualTo("succeeded");
        assertThat(polled.getStatus()).isEqualTo("succeeded");
        PaymentMethod saved = client.v1().paymentMethods().retrieve(card.getId());
        assertThat(saved.getCustomer()).isEqualTo(customer);
        assertThat(saved.getCard().getExpMonth()).isEqualTo(9L);
        assertThat(saved.getCard().getExpYear()).isEqualTo(2041L);
        assertThatThrownBy(() -> browser.v1().setupIntents().retrieve(si.getId()))
                .isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> browser.v1().setupIntents().list()).isInstanceOf(Exception.class);
    }

    @Test
    void shouldAuthenticateACardOnSetupAndThenChargeItOffSessionWithoutAsking() throws Exception {
        SetupIntent si = setUp("pm_card_authenticationRequiredOnSetup");

        assertThat(si.getStatus()).isEqualTo("requires_action");
        assertThat(si.getNextAction().getType()).isEqualTo("use_stripe_sdk");
        assertThat(client.v1().customers().paymentMethods().list(customer).getData())
                .isEmpty();

        fake.authenticateSetup(si.getId(), true);

        SetupIntent done = client.v1().setupIntents().retrieve(si.getId());
        assertThat(done.getStatus()).isEqualTo("succeeded");
        assertThat(done.getNextAction()).isNull();
        assertThat(fake.eventTypes())
                .containsExactly(
                        "customer.created",
                        "setup_intent.created",
                        "setup_intent.requires_action",
                        "payment_method.attached",
                        "setup_intent.succeeded");
        PaymentIntent later = payOffSession(done.getPaymentMethod());
        assertThat(later.getStatus()).isEqualTo("succeeded");
    }

    @Test
    void shouldPayASubscriptionWithTheDefaultCardSetUpBefore() throws Exception {
        SetupIntent si = setUp("pm_card_authenticationRequiredOnSetup");
        fake.authenticateSetup(si.getId(), true);
        client.v1()
                .customers()
                .update(
                        customer,
                        CustomerUpdateParams.builder()
                                .setInvoiceSettings(CustomerUpdateParams.InvoiceSettings.builder()
                                        .setDefaultPaymentMethod(si.getPaymentMethod())
                                        .build())
                                .build());
        String price = client.v1()
                .prices()
                .create(PriceCreateParams.builder()
                        .setCurrency("usd")
                        .setUnitAmount(900L)
                        .setRecurring(PriceCreateParams.Recurring.builder()
                                .setInterval(PriceCreateParams.Recurring.Interval.MONTH)
                                .build())
                        .setProductData(PriceCreateParams.ProductData.builder()
                                .setName("Plus")
                                .build())
                        .build())
                .getId();

        Subscription sub = client.v1()
                .subscriptions()
                .create(SubscriptionCreateParams.builder()
                        .setCustomer(customer)
                        .addItem(SubscriptionCreateParams.Item.builder()
                                .setPrice(price)
                                .build())
                        .setPaymentBehavior(SubscriptionCreateParams.PaymentBehavior.ERROR_IF_INCOMPLETE)
                        .build());

        assertThat(sub.getStatus()).isEqualTo("active");
    }

    @Test
    void shouldCompleteASetupFromTheControlEndpointAndExpandItsCard() throws Exception {
        SetupIntent si = setUp("pm_card_authenticationRequired");

        HttpResponse<String> answer = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(
                                        fake.apiBase() + "/_testkit/setup_intents/" + si.getId() + "/authenticate"))
                                .POST(HttpRequest.BodyPublishers.noBody())
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        SetupIntent expanded = client.v1()
                .setupIntents()
                .retrieve(
                        si.getId(),
                        SetupIntentRetrieveParams.builder()
                                .addExpand("payment_method")
                                .build());

        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(expanded.getStatus()).isEqualTo("succeeded");
        assertThat(expanded.getPaymentMethodObject().getCard().getLast4()).isEqualTo("3184");
        assertThat(expanded.getPaymentMethodObject().getCustomer()).isEqualTo(customer);
    }

    @Test
    void shouldStillFailOffSessionForACardThatAlwaysNeedsAuthentication() throws Exception {
        SetupIntent si = setUp("pm_card_authenticationRequired");
        fake.authenticate(si.getId(), true);
        String card = client.v1().setupIntents().retrieve(si.getId()).getPaymentMethod();

        assertThatThrownBy(() -> payOffSession(card)).isInstanceOfSatisfying(CardException.class, e -> {
            assertThat(e.getCode()).isEqualTo("authentication_required");
            assertThat(e.getDeclineCode()).isEqualTo("authentication_required");
        });
    }

    @Test
    void shouldReturnToRequiresPaymentMethodWhenAuthenticationFails() throws Exception {
        SetupIntent si = setUp("pm_card_threeDSecure2Required");

        fake.authenticateSetup(si.getId(), false);

        SetupIntent failed = client.v1().setupIntents().retrieve(si.getId());
        assertThat(failed.getStatus()).isEqualTo("requires_payment_method");
        assertThat(failed.getLastSetupError().getCode()).isEqualTo("setup_intent_authentication_failure");
        assertThat(failed.getPaymentMethod()).isNull();
        assertThat(fake.eventTypes()).endsWith("setup_intent.setup_failed");
        assertThat(fake.eventTypes()).doesNotContain("payment_method.attached");

        SetupIntent retried = client.v1()
                .setupIntents()
                .confirm(
                        si.getId(),
                        SetupIntentConfirmParams.builder()
                                .setPaymentMethod("pm_card_visa")
                                .build());
        assertThat(retried.getStatus()).isEqualTo("succeeded");
        assertThat(retried.getLastSetupError()).isNull();
    }

    @Test
    void shouldDeclineACardThatCannotBeSetUp() throws Exception {
        assertThatThrownBy(() -> setUp("pm_card_chargeDeclined")).isInstanceOfSatisfying(CardException.class, e -> {
            assertThat(e.getStatusCode()).isEqualTo(402);
            assertThat(e.getCode()).isEqualTo("card_declined");
            assertThat(e.getDeclineCode()).isEqualTo("generic_decline");
            SetupIntent si = e.getStripeError().getSetupIntent();
            assertThat(si.getStatus()).isEqualTo("requires_payment_method");
            assertThat(si.getLastSetupError().getDeclineCode()).isEqualTo("generic_decline");
        });
        assertThat(fake.eventTypes()).endsWith("setup_intent.created", "setup_intent.setup_failed");
        assertThat(fake.objects("charge")).isEmpty();
        assertThat(client.v1().customers().paymentMethods().list(customer).getData())
                .isEmpty();
    }

    @Test
    void shouldCancelAndListByCustomer() throws Exception {
        SetupIntent open = client.v1()
                .setupIntents()
                .create(SetupIntentCreateParams.builder()
                        .setCustomer(customer)
                        .setUsage(SetupIntentCreateParams.Usage.ON_SESSION)
                        .addPaymentMethodType("card")
                        .build());
        SetupIntent done = setUp("pm_card_visa");
        client.v1().setupIntents().create(SetupIntentCreateParams.builder().build());

        SetupIntent canceled = client.v1()
                .setupIntents()
                .cancel(
                        open.getId(),
                        SetupIntentCancelParams.builder()
                                .setCancellationReason(SetupIntentCancelParams.CancellationReason.ABANDONED)
                                .build());

        assertThat(open.getUsage()).isEqualTo("on_session");
        assertThat(open.getAutomaticPaymentMethods()).isNull();
        assertThat(canceled.getStatus()).isEqualTo("canceled");
        assertThat(canceled.getCancellationReason()).isEqualTo("abandoned");
        assertThat(fake.eventTypes()).endsWith("setup_intent.canceled");
        assertThat(client.v1()
                        .setupIntents()
                        .list(SetupIntentListParams.builder()
                                .setCustomer(customer)
                                .build())
                        .getData())
                .extracting(SetupIntent::getId)
                .containsExactly(done.getId(), open.getId());
        assertThatThrownBy(() -> client.v1()
                        .setupIntents()
                        .confirm(
                                open.getId(),
                                SetupIntentConfirmParams.builder()
                                        .setPaymentMethod("pm_card_visa")
                                        .build()))
                .isInstanceOfSatisfying(
                        InvalidRequestException.class,
                        e -> assertThat(e.getCode()).isEqualTo("setup_intent_unexpected_state"));
    }

    @Test
    void shouldRedirectBackFromThe3dSecurePageWithTheSetupIntent() throws Exception {
        SetupIntent si = client.v1()
                .setupIntents()
                .create(SetupIntentCreateParams.builder()
                        .setCustomer(customer)
                        .setPaymentMethod("pm_card_authenticationRequiredOnSetup")
                        .setReturnUrl("https://shop.example/saved")
                        .setConfirm(true)
                        .build());
        String page = si.getNextAction().getRedirectToUrl().getUrl();
        HttpClient http = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();

        String html = http.send(HttpRequest.newBuilder(URI.create(page)).build(), HttpResponse.BodyHandlers.ofString())
                .body();
        HttpResponse<String> back = http.send(
                HttpRequest.newBuilder(URI.create(page + "/complete?succeed=true&return_url="
                                + URLEncoder.encode("https://shop.example/saved", StandardCharsets.UTF_8)))
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(html).contains("SetupIntent " + si.getId());
        assertThat(back.statusCode()).isEqualTo(303);
        assertThat(back.headers().firstValue("Location").orElseThrow())
                .startsWith("https://shop.example/saved?setup_intent=" + si.getId())
                .contains("setup_intent_client_secret=")
                .endsWith("redirect_status=succeeded");
        assertThat(client.v1().setupIntents().retrieve(si.getId()).getStatus()).isEqualTo("succeeded");
    }
}
