package dev.tokenbilling.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenbilling.cli.support.Cli;
import dev.tokenbilling.cli.support.Cli.Result;
import org.junit.jupiter.api.Test;

/** Help, version, completion and usage errors: none of them may touch a database. */
class HelpAndUsageTest {

    /** No database URL and a default database that fails the test if started. */
    private final Cli cli = Cli.forClass(HelpAndUsageTest.class).withDefaultDatabase(() -> {
        throw new AssertionError("must not start a database");
    });

    @Test
    void shouldListCommandsExitCodesAndEnvironmentInHelp() {
        Result result = cli.runRaw("--help");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).contains("Usage: billing", "migrate", "seed", "packages", "stripe", "balance", "balances", "ledger",
                "grant", "void-grant", "adjust", "expire", "purchases", "retry", "webhooks", "audit", "completion");
        assertThat(result.out()).contains("Exit codes:", "0   ok", "1   the operation failed", "2   usage error",
                "3   a dependency is unreachable");
        assertThat(result.out()).contains("BILLING_DATABASE_URL", "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET");
    }

    @Test
    void shouldShowHelpOfEverySubcommand() {
        for (String[] command : new String[][] {{"migrate"}, {"seed"}, {"packages"}, {"stripe", "sync"}, {"balance"}, {"balances"},
                {"ledger"}, {"grant"}, {"void-grant"}, {"adjust"}, {"expire"}, {"purchases"}, {"retry"}, {"webhooks"}, {"webhooks", "replay"},
                {"webhooks", "fetch-missed"}, {"audit"}, {"config"}, {"completion"}}) {
            String[] args = java.util.Arrays.copyOf(command, command.length + 1);
            args[command.length] = "--help";
            Result result = cli.runRaw(args);
            assertThat(result.exitCode()).as(String.join(" ", command)).isZero();
            assertThat(result.out()).as(String.join(" ", command)).contains("Usage: billing " + String.join(" ", command), "--output");
        }
    }

    @Test
    void shouldPrintVersion() {
        Result result = cli.runRaw("--version");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).startsWith("billing ").doesNotContain("unknown");
    }

    @Test
    void shouldPrintBashCompletionScriptWithoutDatabase() {
        Result result = cli.runRaw("completion");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).contains("complete -F", "billing", "purchases", "fetch-missed", "--older-than");
    }

    @Test
    void shouldRejectUnknownCommandWithSuggestionAndUsageExitCode() {
        Result result = cli.runRaw("purchse");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err()).contains("Unmatched argument", "billing purchases", "Try 'billing --help'");
        assertThat(result.err()).doesNotContain("at dev.tokenbilling", "Exception");
    }

    @Test
    void shouldRequireCommand() {
        Result result = cli.runRaw();

        assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err()).contains("missing COMMAND", "Usage: billing");
    }

    @Test
    void shouldRejectBadDurationWithTheExpectedForms() {
        Result result = cli.runRaw("purchases", "--older-than", "15x");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err()).contains("--older-than", "'15x'", "30s, 15m, 1h, 3d").doesNotContain("Exception");
        assertThat(result.err().lines().count()).isLessThanOrEqualTo(2);
    }

    @Test
    void shouldRejectUnknownPurchaseStatusListingValidOnes() {
        Result result = cli.runRaw("purchases", "--status", "stuck");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err()).contains("unknown purchase status 'stuck'", "pending", "requires_action", "open");
    }

    @Test
    void shouldRejectUnknownOutputFormat() {
        Result result = cli.runRaw("balances", "--output", "xml");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err()).contains("'xml' is not an output format: use table, json or csv");
    }

    @Test
    void shouldRejectNonNumericTokens() {
        Result result = cli.runRaw("grant", "u1", "lots", "--reason", "x");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err()).contains("'lots' is not a whole number of tokens");
    }

    @Test
    void shouldRequireReasonForGrant() {
        Result result = cli.runRaw("grant", "u1", "500");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err()).contains("--reason");
    }

    @Test
    void shouldRejectMalformedDatabaseUrl() {
        Result result = cli.runRaw("--database-url", "mysql://db/x", "balances");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err()).contains("is not a PostgreSQL URL", "postgresql://user:password@host:5432/dbname");
    }

    @Test
    void shouldShowConfigurationWithSecretsMasked() {
        Result result = cli.env("STRIPE_SECRET_KEY", "sk_test_51HsecretSECRETsecret4242")
                .env("STRIPE_WEBHOOK_SECRET", "whsec_abcdefghijklmnop1234")
                .runRaw("--database-url", "postgresql://admin:hunter22@db.internal:6543/billing", "config");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).contains("sk_test_…4242", "whsec_…1234", "db.internal:6543", "admin", "(test mode)");
        assertThat(result.out()).doesNotContain("hunter22", "51HsecretSECRETsecret", "abcdefghijklmnop");
    }

    @Test
    void shouldAcceptGlobalOptionsAfterTheSubcommand() {
        Result result = cli.runRaw("config", "--output", "json", "--schema", "other_schema");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).contains("\"schema\": \"other_schema\"");
    }

    @Test
    void shouldReadStripeSettingsAsTheLibraryDoesAndReportAMismatchedPublishableKey() {
        Cli mismatched = cli.env("STRIPE_SECRET_KEY", "sk_test_51HsecretSECRETsecret4242").env("STRIPE_PUBLIC_KEY", "pk_live_51Hpublicpublic9999");

        Result config = mismatched.runRaw("config");
        Result json = mismatched.runRaw("config", "-o", "json");
        Result sync = mismatched.runRaw("stripe", "sync");

        assertThat(config.exitCode()).isZero();
        assertThat(config.out()).contains("Publishable key:", "pk_live_…9999", "Stripe settings:", "stripe.publishableKey: is for live mode")
                .doesNotContain("51HsecretSECRETsecret", "51Hpublicpublic");
        assertThat(json.out()).contains("\"stripePublishableKey\": \"pk_live_…9999\"", "\"stripeSettingsError\": \"stripe.publishableKey: is for live mode");
        assertThat(sync.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(sync.err()).contains("the Stripe settings are invalid: stripe.publishableKey", "'billing config' shows them");
    }

    @Test
    void shouldShowTheViteNamedPublishableKeyAndNoErrorWhenTheSettingsFit() {
        Result json = cli.env("STRIPE_SECRET_KEY", "sk_test_51HsecretSECRETsecret4242").env("VITE_STRIPE_PUBLISHABLE_KEY", "pk_test_51Hpublicpublic1111")
                .env("STRIPE_WEBHOOK_SECRET", "whsec_oldoldoldold0001, whsec_newnewnewnew0002").runRaw("config", "-o", "json");

        assertThat(json.exitCode()).isZero();
        assertThat(json.out()).contains("\"stripePublishableKey\": \"pk_test_…1111\"", "\"stripeSettingsError\": null",
                "\"whsec_…0001\"", "\"whsec_…0002\"");
    }
}
