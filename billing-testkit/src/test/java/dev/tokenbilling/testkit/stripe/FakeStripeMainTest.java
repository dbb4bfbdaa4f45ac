package dev.tokenbilling.testkit.stripe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FakeStripeMainTest {

    @Test
    void shouldStartWithTheGivenOptions() {
        FakeStripe.Builder builder = FakeStripeMain.parse(
                new String[] {
                    "--port",
                    "0",
                    "--webhook-url",
                    "http://127.0.0.1:9/hook",
                    "--webhook-secret",
                    "whsec_abc",
                    "--hold-webhooks",
                    "--api-version",
                    "2024-06-20"
                },
                System.out);

        try (FakeStripe fake = builder.start()) {
            assertThat(fake.port()).isPositive();
            assertThat(fake.webhookMode()).isEqualTo(WebhookMode.HOLD);
            assertThat(fake.apiVersion()).isEqualTo("2024-06-20");
            assertThat(fake.webhookEndpoints()).singleElement().satisfies(e -> {
                assertThat(e.url()).isEqualTo("http://127.0.0.1:9/hook");
                assertThat(e.secret()).isEqualTo("whsec_abc");
            });
            fake.reset();
            assertThat(fake.webhookEndpoints()).hasSize(1);
        }
    }

    @Test
    void shouldPrintHelpAndRefuseBadOptions() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(FakeStripeMain.parse(new String[] {"--help"}, new PrintStream(out, true, StandardCharsets.UTF_8)))
                .isNull();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("--webhook-url");
        assertThatThrownBy(() -> FakeStripeMain.parse(new String[] {"--port", "x"}, System.out))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FakeStripeMain.parse(new String[] {"--nope"}, System.out))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FakeStripeMain.parse(new String[] {"--webhook-secret", "whsec_x"}, System.out))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
