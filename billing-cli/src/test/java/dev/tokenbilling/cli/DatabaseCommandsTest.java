package dev.tokenbilling.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenbilling.cli.support.Cli;
import dev.tokenbilling.cli.support.Cli.Result;
import java.net.ServerSocket;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** {@code billing migrate}, {@code audit}, and what every command says when the database cannot be used. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DatabaseCommandsTest {

    private static final Cli CLI = Cli.forClass(DatabaseCommandsTest.class);

    @Test
    @Order(1)
    void shouldSayToMigrateWhenTheSchemaHasNoTables() {
        Result result = CLI.run("balances");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(result.err()).contains("the billing tables are missing in schema '" + CLI.schema() + "'", "run 'billing migrate' first");
        assertThat(result.err().lines().count()).isEqualTo(1);
    }

    @Test
    @Order(2)
    void shouldListPendingMigrationsOnDryRun() {
        Result result = CLI.run("migrate", "--dry-run");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).contains("pending migration", "1 ledger and catalog", "Run 'billing migrate' to apply.");
    }

    @Test
    @Order(3)
    void shouldApplyMigrationsOnceAndThenReportUpToDate() {
        Result first = CLI.run("migrate");
        Result second = CLI.run("migrate");
        Result json = CLI.run("migrate", "--dry-run", "-o", "json");

        assertThat(first.exitCode()).as(first.toString()).isZero();
        assertThat(first.out()).containsPattern("Applied \\d+ migrations? to schema " + CLI.schema() + "; now at version \\d+\\.");
        assertThat(second.out()).containsPattern("is up to date \\(version \\d+\\); nothing to apply.");
        assertThat(json.out()).contains("\"pending\": [ ]", "\"applied\": 0").containsPattern("\"version\": \"\\d+\"");
    }

    @Test
    @Order(4)
    void shouldPassTheLedgerAudit() {
        CLI.run("grant", "audited", "100", "--reason", "test", "--idempotency-key", "audit-1");

        Result result = CLI.run("audit");
        Result json = CLI.run("audit", "--output", "json");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).contains("Ledger audit passed");
        assertThat(json.out()).contains("\"ok\": true", "\"violations\": [ ]");
    }

    @Test
    @Order(5)
    void shouldFailTheAuditWhenABalanceDisagreesWithItsLedger() throws Exception {
        try (var connection = dev.tokenbilling.support.TestDatabase.dataSource().getConnection();
                var statement = connection.createStatement()) {
            statement.execute("UPDATE " + CLI.schema() + ".token_balance SET balance = balance + 1, total_granted = total_granted + 1 WHERE user_id = 'audited'");
        }

        Result result = CLI.run("audit");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(result.out()).contains("Ledger audit found", "balance differs from the sum of the ledger");
    }

    @Test
    void shouldReportAnUnreachableDatabaseWithHostAndPortAndExitCode3() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }

        Result result = CLI.runRaw("--database-url", "postgresql://billing:s3cret@127.0.0.1:" + port + "/billing", "balance", "u1");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.UNREACHABLE);
        assertThat(result.err()).contains("cannot reach the database at 127.0.0.1:" + port, "connection refused",
                "start PostgreSQL there, or fix --database-url / BILLING_DATABASE_URL");
        assertThat(result.err()).doesNotContain("s3cret", "\tat ");
        assertThat(result.err().lines().count()).isEqualTo(1);
    }

    @Test
    void shouldShowTheStackTraceOnlyWithVerbose() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }

        Result result = CLI.runRaw("--verbose", "--database-url", "jdbc:postgresql://127.0.0.1:" + port + "/billing", "balances");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.UNREACHABLE);
        assertThat(result.err()).contains("cannot reach the database at 127.0.0.1:" + port, "\tat ");
    }

    @Test
    void shouldReportARefusedLogin() {
        String url = TestDatabase.urlWithUser("nobody_here");

        Result result = CLI.runRaw("--database-url", url, "balances");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.UNREACHABLE);
        assertThat(result.err()).contains("refused the login for user 'nobody_here'", "BILLING_DATABASE_USER");
    }

    @Test
    void shouldTakeUserAndPasswordFromTheEnvironment() {
        Result result = CLI.env("BILLING_DATABASE_USER", "nobody_else").env("BILLING_DATABASE_PASSWORD", "pw")
                .runRaw("--database-url", TestDatabase.urlWithoutUser(), "config");

        CLI.env("BILLING_DATABASE_USER", null).env("BILLING_DATABASE_PASSWORD", null);
        assertThat(result.out()).contains("nobody_else", "(set)").doesNotContain(": pw");
    }

    /** URLs on the test database with other credentials. */
    static final class TestDatabase {
        static String urlWithUser(String user) {
            return urlWithoutUser() + "?user=" + user;
        }

        static String urlWithoutUser() {
            String url = dev.tokenbilling.support.TestDatabase.jdbcUrl();
            int query = url.indexOf('?');
            return query < 0 ? url : url.substring(0, query);
        }
    }
}
