package dev.tokenbilling.testkit.stripe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.stripe.StripeClient;
import com.stripe.model.PaymentIntent;
import com.stripe.param.PaymentIntentConfirmParams;
import com.stripe.param.PaymentIntentCreateParams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(FakeStripeExtension.class)
class ThreeDSecureTest {

    private static PaymentIntent requiresAction(StripeClient client, String returnUrl) throws Exception {
        PaymentIntent pi = client.v1()
                .paymentIntents()
                .create(PaymentIntentCreateParams.builder()
                        .setAmount(4200L)
                        .setCurrency("usd")
                        .build());
        PaymentIntentConfirmParams.Builder confirm =
                PaymentIntentConfirmParams.builder().setPaymentMethod("pm_card_authenticationRequired");
        if (returnUrl != null) {
            confirm.setReturnUrl(returnUrl);
        }
        return client.v1().paymentIntents().confirm(pi.getId(), confirm.build());
    }

    @Test
    void shouldRequireActionThenSucceedAfterAuthentication(FakeStripe fake) throws Exception {
        StripeClient client = Clients.secret(fake);
        PaymentIntent pi = requiresAction(client, null);

        assertThat(pi.getStatus()).isEqualTo("requires_action");
        assertThat(pi.getNextAction().getType()).isEqualTo("use_stripe_sdk");
        fake.authenticate(pi.getId(), true);

        PaymentIntent after = client.v1().paymentIntents().retrieve(pi.getId());
        assertThat(after.getStatus()).isEqualTo("succeeded");
        assertThat(after.getNextAction()).isNull();
        assertThat(client.v1()
                        .charges()
                        .retrieve(after.getLatestCharge())
                        .getPaymentMethodDetails()
                        .getCard()
                        .getThreeDSecure()
                        .getResult())
                .isEqualTo("authenticated");
        assertThat(fake.eventTypes())
                .containsSubsequence("payment_intent.requires_action", "charge.succeeded", "payment_intent.succeeded");
    }

    @Test
    void shouldFailBackToRequiresPaymentMethodWhenAuthenticationFails(FakeStripe fake) throws Exception {
        StripeClient client = Clients.secret(fake);
        PaymentIntent pi = requiresAction(client, "https://shop.example/return");

        assertThat(pi.getNextAction().getType()).isEqualTo("redirect_to_url");
        assertThat(pi.getNextAction().getRedirectToUrl().getReturnUrl()).isEqualTo("https://shop.example/return");
        fake.authenticate(pi.getId(), false);

        PaymentIntent after = client.v1().paymentIntents().retrieve(pi.getId());
        assertThat(after.getStatus()).isEqualTo("requires_payment_method");
        assertThat(after.getLastPaymentError().getCode()).isEqualTo("payment_intent_authentication_failure");
        assertThat(fake.eventTypes()).endsWith("payment_intent.payment_failed");
        assertThatThrownBy(() -> fake.authenticate(pi.getId(), true)).isInstanceOf(IllegalStateException.class);
    }
}
