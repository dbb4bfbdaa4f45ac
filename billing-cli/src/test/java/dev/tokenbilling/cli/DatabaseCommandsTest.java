package dev.tokenbilling.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenbilling.cli.support.Cli;
import dev.tokenbilling.cli.support.Cli.Result;
import dev.tokenbilling.cli.support.Ports;
import org.junit.jupiter.api.Test;

/**
 * {@code billing migrate}, {@code audit}, and what every command says when the database cannot be used.
 * Migrations and the audit cover a whole schema, so each test has a fresh one ({@link #cli} is created per test).
 */
class DatabaseCommandsTest {

    private final Cli cli = Cli.forClass(DatabaseCommandsTest.class);

    @Test
    void shouldSayToMigrateWhenTheSchemaHasNoTables() {
        Result result = cli.run("balances");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(result.err())
                .startsWith("error[schema_not_migrated]: ")
                .contains(
                        "the billing tables are missing in schema '" + cli.schema() + "'",
                        "run 'billing migrate' first");
        assertThat(result.err().lines().count()).isEqualTo(1);
    }

    @Test
    void shouldRefuseTheCitusTopologyOnAPlainServerAndAnUnknownOne() {
        Result citus = cli.run("--topology", "citus", "migrate");
        Result unknown = cli.run("--topology", "sharded", "migrate");

        assertThat(citus.exitCode()).as(citus.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(citus.err()).contains("citus extension is not installed");
        assertThat(cli.run("migrate", "--dry-run").out()).as("nothing applied").contains("pending migration");
        assertThat(unknown.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(unknown.err()).contains("unknown database topology 'sharded': use postgresql or citus");
    }

    @Test
    void shouldListPendingMigrationsOnDryRun() {
        Result result = cli.run("migrate", "--dry-run");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out())
                .contains("pending migration", "Run 'billing migrate' to apply.")
                .containsPattern("(?m)^  1 \\S+");
    }

    @Test
    void shouldApplyMigrationsOnceAndThenReportUpToDate() {
        Result first = cli.run("migrate");
        Result second = cli.run("migrate");
        Result json = cli.run("migrate", "--dry-run", "-o", "json");

        assertThat(first.exitCode()).as(first.toString()).isZero();
        assertThat(first.out())
                .containsPattern("Applied \\d+ migrations? to schema " + cli.schema() + "; now at version \\d+\\.");
        assertThat(second.out()).containsPattern("is up to date \\(version \\d+\\); nothing to apply.");
        assertThat(json.out()).contains("\"pending\": [ ]", "\"applied\": 0").containsPattern("\"version\": \"\\d+\"");
    }

    @Test
    void shouldPassTheLedgerAudit() {
        cli.migrated().runOk("grant", "audited", "100", "--reason", "test", "--idempotency-key", "audit-1");

        Result result = cli.run("audit");
        Result json = cli.run("audit", "--output", "json");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).contains("Ledger audit passed");
        assertThat(json.out()).contains("\"ok\": true", "\"violations\": [ ]");
    }

    @Test
    void shouldFailTheAuditWhenABalanceDisagreesWithItsLedger() throws Exception {
        cli.migrated().runOk("grant", "audited", "100", "--reason", "test", "--idempotency-key", "audit-1");
        try (var connection = dev.tokenbilling.support.TestDatabase.dataSource().getConnection();
                var statement = connection.createStatement()) {
            statement.execute(
                    "UPDATE " + cli.schema()
                            + ".token_balance SET balance = balance + 1, total_granted = total_granted + 1 WHERE user_id = 'audited'");
        }

        Result result = cli.run("audit");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(result.out()).contains("Ledger audit found", "balance differs from the sum of the ledger");
    }

    @Test
    void shouldReportAnUnreachableDatabaseWithHostAndPortAndExitCode3() {
        int port = Ports.unused();

        Result result = cli.runRaw(
                "--database-url", "postgresql://billing:s3cret@127.0.0.1:" + port + "/billing", "balance", "u1");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.UNREACHABLE);
        assertThat(result.err())
                .startsWith("error[store_unavailable]: ")
                .contains(
                        "cannot reach the database at 127.0.0.1:" + port,
                        "connection refused",
                        "start PostgreSQL there, or fix --database-url / BILLING_DATABASE_URL");
        assertThat(result.err()).doesNotContain("s3cret", "\tat ");
        assertThat(result.err().lines().count()).isEqualTo(1);
    }

    @Test
    void shouldShowTheStackTraceOnlyWithVerbose() {
        int port = Ports.unused();

        Result result = cli.runRaw(
                "--verbose", "--database-url", "jdbc:postgresql://127.0.0.1:" + port + "/billing", "balances");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.UNREACHABLE);
        assertThat(result.err()).contains("cannot reach the database at 127.0.0.1:" + port, "\tat ");
    }

    @Test
    void shouldReportARefusedLogin() {
        String url = TestDatabase.urlWithUser("nobody_here");

        Result result = cli.runRaw("--database-url", url, "balances");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.UNREACHABLE);
        assertThat(result.err()).contains("refused the login for user 'nobody_here'", "BILLING_DATABASE_USER");
    }

    @Test
    void shouldTakeUserAndPasswordFromTheEnvironment() {
        Result result = cli.env("BILLING_DATABASE_USER", "nobody_else")
                .env("BILLING_DATABASE_PASSWORD", "pw")
                .runRaw("--database-url", TestDatabase.urlWithoutUser(), "config");

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
