package dev.tokenbilling.cli.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenbilling.embedded.EmbeddedServer;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The client side reads {@code BILLING_HOME} and {@code BILLING_KEEP_SERVER} without loading
 * {@link EmbeddedServer}: these keep its readings equal to the server's.
 */
class CommandServerFilesTest {

    @Test
    void shouldFindTheHomeWhereTheEmbeddedServerDoes() {
        for (String home : new String[] {null, "", "  ", "/tmp/billing-home", " /tmp/spaced ", "relative/home"}) {
            Map<String, String> environment = new HashMap<>();
            environment.put(EmbeddedServer.HOME_VARIABLE, home);

            assertThat(CommandServerFiles.of(environment).home())
                    .as("BILLING_HOME=" + home)
                    .isEqualTo(EmbeddedServer.home(environment));
        }
    }

    @Test
    void shouldReadBillingKeepServerAsTheEmbeddedServerDoes() {
        for (String keep : new String[] {null, "", "0", "1", "false", "FALSE", " no ", "off", "yes", "true", "2"}) {
            Map<String, String> environment = new HashMap<>();
            environment.put(EmbeddedServer.KEEP_VARIABLE, keep);

            assertThat(CommandServerFiles.enabled(environment))
                    .as("BILLING_KEEP_SERVER=" + keep)
                    .isEqualTo(EmbeddedServer.keepsRunning(environment));
        }
    }

    @Test
    void shouldReadBillingCommandServerTheSameWay() {
        for (String value : new String[] {"0", "false", "FALSE", " no ", "off"}) {
            assertThat(CommandServerFiles.enabled(Map.of(CommandServerFiles.ENABLED_VARIABLE, value)))
                    .as(value)
                    .isFalse();
        }
        for (String value : new String[] {"1", "true", "yes", ""}) {
            assertThat(CommandServerFiles.enabled(Map.of(CommandServerFiles.ENABLED_VARIABLE, value)))
                    .as(value)
                    .isTrue();
        }
    }
}
