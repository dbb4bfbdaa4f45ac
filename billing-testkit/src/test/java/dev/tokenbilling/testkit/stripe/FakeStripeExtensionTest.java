package dev.tokenbilling.testkit.stripe;

import static org.assertj.core.api.Assertions.assertThat;

import com.stripe.param.ProductCreateParams;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

class FakeStripeExtensionTest {

    @Nested
    @ExtendWith(FakeStripeExtension.class)
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    class WithExtendWith {
        private final FakeStripe injectedInConstructor;

        WithExtendWith(FakeStripe fake) {
            this.injectedInConstructor = fake;
        }

        @Test
        @Order(1)
        void shouldInjectOneRunningFakeStripePerClass(FakeStripe fake) throws Exception {
            assertThat(fake).isSameAs(injectedInConstructor);
            assertThat(fake.apiBase()).startsWith("http://127.0.0.1:");
            Clients.secret(fake)
                    .v1()
                    .products()
                    .create(ProductCreateParams.builder().setName("kept").build());
        }

        @Test
        @Order(2)
        void shouldKeepStateBetweenTestsOfTheClass(FakeStripe fake) {
            assertThat(fake.objects("product")).hasSize(1);
        }

        @Nested
        class Inner {
            @Test
            void shouldShareTheOuterClassInstance(FakeStripe fake) {
                assertThat(fake).isSameAs(injectedInConstructor);
            }
        }
    }

    @Nested
    class WithRegisterExtension {
        @RegisterExtension
        final FakeStripeExtension stripe =
                FakeStripeExtension.configured(b -> b.holdWebhooks()).resettingBeforeEach();

        @Test
        void shouldApplyTheConfiguration(FakeStripe fake) {
            assertThat(fake.webhookMode()).isEqualTo(WebhookMode.HOLD);
            assertThat(stripe.fakeStripe()).isSameAs(fake);
            assertThat(fake.objects("product")).isEmpty();
        }
    }
}
