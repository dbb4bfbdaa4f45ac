package dev.tokenbilling.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenbilling.cli.support.Cli;
import dev.tokenbilling.cli.support.Cli.Result;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * {@code billing --help} without colors prints a snapshot of the usage (see {@link BillingCli#USAGE_SNAPSHOT})
 * instead of building the command model: the snapshot must be exactly what picocli draws. After changing a
 * command's name, description or a global option, refresh it with
 * {@code ./mvnw -pl billing-cli test -Dtest=UsageSnapshotTest -Dbilling.cli.writeUsage=true}.
 */
class UsageSnapshotTest {

    private static final Path SOURCE = Path.of("src/main/resources/dev/tokenbilling/cli", BillingCli.USAGE_SNAPSHOT);

    private final Cli cli = Cli.forClass(UsageSnapshotTest.class).withDefaultDatabase(() -> {
        throw new AssertionError("must not start a database");
    });

    @Test
    void shouldShipTheUsageThatPicocliDraws() throws IOException {
        Result drawn = cli.runRaw("--help");
        assertThat(drawn.exitCode()).isZero();
        if (Boolean.getBoolean("billing.cli.writeUsage")) {
            Files.writeString(SOURCE, drawn.out(), StandardCharsets.UTF_8);
        }

        assertThat(snapshot())
                .as("%s is out of date: refresh it as this test's Javadoc says", SOURCE)
                .isEqualTo(drawn.out());
        assertThat(cli.runRaw("help").out()).isEqualTo(drawn.out());
        assertThat(cli.runRaw("-h").out()).isEqualTo(drawn.out());
    }

    private static String snapshot() throws IOException {
        try (InputStream in = BillingCli.class.getResourceAsStream(BillingCli.USAGE_SNAPSHOT)) {
            assertThat(in).as("resource %s", BillingCli.USAGE_SNAPSHOT).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
