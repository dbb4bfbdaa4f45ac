package dev.tokenbilling.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenbilling.cli.support.Cli;
import dev.tokenbilling.cli.support.Cli.Result;
import dev.tokenbilling.cli.support.Ports;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** Help, version, completion and usage errors: none of them may touch a database. */
class HelpAndUsageTest {

    /** Every subcommand, by its path below {@code billing}. */
    private static final String[][] SUBCOMMANDS = {
        {"migrate"},
        {"seed"},
        {"packages"},
        {"tiers"},
        {"stripe", "sync"},
        {"stripe", "webhook-endpoint", "create"},
        {"balance"},
        {"balances"},
        {"ledger"},
        {"grant"},
        {"void-grant"},
        {"adjust"},
        {"expire"},
        {"purchases"},
        {"subscriptions"},
        {"recharge", "rules"},
        {"recharge", "attempts"},
        {"recharge", "pause"},
        {"recharge", "resume"},
        {"recharge", "run"},
        {"retry"},
        {"webhooks"},
        {"webhooks", "replay"},
        {"webhooks", "fetch-missed"},
        {"events", "list"},
        {"events", "redeliver"},
        {"audit"},
        {"doctor"},
        {"config"},
        {"server"},
        {"server", "status"},
        {"server", "start"},
        {"server", "stop"},
        {"completion"}
    };

    /** No database URL and a default database that fails the test if started. */
    private final Cli cli = Cli.forClass(HelpAndUsageTest.class).withDefaultDatabase(() -> {
        throw new AssertionError("must not start a database");
    });

    @Test
    void shouldListCommandsExitCodesAndEnvironmentInHelp() {
        Result result = cli.runRaw("--help");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out())
                .contains(
                        "Usage: billing",
                        "migrate",
                        "seed",
                        "packages",
                        "tiers",
                        "stripe",
                        "balance",
                        "balances",
                        "ledger",
                        "grant",
                        "void-grant",
                        "adjust",
                        "expire",
                        "purchases",
                        "subscriptions",
                        "recharge",
                        "retry",
                        "webhooks",
                        "events",
                        "audit",
                        "doctor",
                        "server",
                        "completion");
        assertThat(result.out())
                .contains(
                        "Exit codes:",
                        "0   ok",
                        "1   the operation failed",
                        "2   usage error",
                        "3   a dependency is unreachable");
        assertThat(result.out())
                .contains(
                        "BILLING_DATABASE_URL",
                        "STRIPE_SECRET_KEY",
                        "STRIPE_WEBHOOK_SECRET",
                        "BILLING_HOME",
                        "BILLING_KEEP_SERVER");
    }

    @Test
    void shouldNameEachSubcommandAsItsAnnotationDoes() {
        assertThat(BillingCommand.SUBCOMMANDS)
                .allSatisfy(entry -> assertThat(entry.getKey())
                        .isEqualTo(entry.getValue()
                                .getAnnotation(picocli.CommandLine.Command.class)
                                .name()));
        assertThat(BillingCommand.SUBCOMMANDS.stream().map(java.util.Map.Entry::getKey))
                .containsAll(
                        Arrays.stream(SUBCOMMANDS).map(command -> command[0]).toList());
    }

    @Test
    void shouldBuildAllCommandsAsWhenOnlyTheOneThatRuns() {
        CommandLine full = BillingCli.newCommandLine(environment());
        CommandLine lazy = BillingCli.newCommandLine(environment(), "--help");
        assertThat(lazy.getSubcommands().keySet())
                .containsExactlyElementsOf(full.getSubcommands().keySet());
        assertThat(lazy.getUsageMessage()).isEqualTo(full.getUsageMessage());
        CommandLine one = BillingCli.newCommandLine(environment(), "--output", "json", "packages");
        assertThat(one.getSubcommands()).containsKeys("packages", "help");
        assertThat(one.getSubcommands().get("packages").getUsageMessage())
                .isEqualTo(full.getSubcommands().get("packages").getUsageMessage());
    }

    @Test
    void shouldShowHelpOfEverySubcommand() {
        for (String[] command : SUBCOMMANDS) {
            Result result = cli.runRaw(help(command));
            assertThat(result.exitCode()).as(String.join(" ", command)).isZero();
            assertThat(result.out())
                    .as(String.join(" ", command))
                    .contains("Usage: billing " + String.join(" ", command), "--output");
        }
    }

    @Test
    void shouldWrapEveryHelpAtWordBoundariesWithinTheUsageWidth() {
        List<String[]> commands = new ArrayList<>(
                List.of(new String[0], new String[] {"stripe"}, new String[] {"recharge"}, new String[] {"events"}));
        commands.addAll(List.of(SUBCOMMANDS));
        for (String[] command : commands) {
            String name = String.join(
                    " ",
                    Stream.concat(Stream.of("billing"), Arrays.stream(command)).toList());
            CommandLine commandLine = subcommand(BillingCli.newCommandLine(environment()), command);
            int width = commandLine.getUsageHelpWidth();

            Result result = cli.runRaw(help(command));

            assertThat(result.exitCode()).as(name).isZero();
            assertThat(result.out().lines())
                    .as("lines of '%s --help' longer than %d", name, width)
                    .filteredOn(line -> line.length() > width)
                    .isEmpty();
            // A word split at a line's end shows up as two words that the help drawn without wrapping does not have.
            assertThat(words(result.out()))
                    .as("words of '%s --help'", name)
                    .containsExactlyInAnyOrderElementsOf(words(unwrappedHelp(command)));
            // Each paragraph of a description ends a sentence, so lines break only where picocli wraps them.
            CommandSpec spec = commandLine.getCommandSpec();
            List<String> paragraphs =
                    new ArrayList<>(List.of(spec.usageMessage().description()));
            spec.args().forEach(arg -> paragraphs.addAll(List.of(arg.description())));
            assertThat(paragraphs)
                    .as("description paragraphs of '%s' ending mid-sentence", name)
                    .filteredOn(paragraph -> !paragraph.strip().matches("(?s).*[.:!?]\\)?"))
                    .isEmpty();
        }
    }

    @Test
    void shouldSayWhyEventsHaveNoDeliverCommand() {
        Result events = cli.runRaw("events", "--help");
        Result deliver = cli.runRaw("events", "deliver");

        assertThat(events.exitCode()).isZero();
        assertThat(events.out().replaceAll("\\s+", " "))
                .contains("list", "redeliver", "The CLI has no listeners, so it offers no 'deliver' command");
        assertThat(events.out()).doesNotContainPattern("(?m)^\\s+deliver\\s");
        assertThat(deliver.exitCode()).isEqualTo(ExitCodes.USAGE);
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
        assertThat(result.err())
                .contains("--older-than", "'15x'", "30s, 15m, 1h, 3d")
                .doesNotContain("Exception");
        assertThat(result.err().lines().count()).isLessThanOrEqualTo(2);
    }

    @Test
    void shouldRejectUnknownPurchaseStatusListingValidOnes() {
        Result result = cli.runRaw("purchases", "--status", "stuck");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err()).contains("unknown purchase status 'stuck'", "pending", "requires_action", "open");
    }

    @Test
    void shouldRejectUnknownSubscriptionStatusListingValidOnes() {
        Result result = cli.runRaw("subscriptions", "--status", "overdue");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err()).contains("unknown subscription status 'overdue'", "past_due", "incomplete_expired");
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
        Cli mismatched = cli.env("STRIPE_SECRET_KEY", "sk_test_51HsecretSECRETsecret4242")
                .env("STRIPE_PUBLIC_KEY", "pk_live_51Hpublicpublic9999");

        Result config = mismatched.runRaw("config");
        Result json = mismatched.runRaw("config", "-o", "json");
        Result sync = mismatched.runRaw("stripe", "sync");

        assertThat(config.exitCode()).isZero();
        assertThat(config.out())
                .contains(
                        "Publishable key:",
                        "pk_live_…9999",
                        "Stripe settings:",
                        "stripe.publishableKey: is for live mode")
                .doesNotContain("51HsecretSECRETsecret", "51Hpublicpublic");
        assertThat(json.out())
                .contains(
                        "\"stripePublishableKey\": \"pk_live_…9999\"",
                        "\"stripeSettingsError\": \"stripe.publishableKey: is for live mode");
        assertThat(sync.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(sync.err())
                .startsWith("error[invalid_configuration]: ")
                .contains("stripe.publishableKey: is for live mode", "'billing config' shows them")
                .doesNotContain("51HsecretSECRETsecret");
    }

    @Test
    void shouldShowTheViteNamedPublishableKeyAndNoErrorWhenTheSettingsFit() {
        Result json = cli.env("STRIPE_SECRET_KEY", "sk_test_51HsecretSECRETsecret4242")
                .env("VITE_STRIPE_PUBLISHABLE_KEY", "pk_test_51Hpublicpublic1111")
                .env("STRIPE_WEBHOOK_SECRET", "whsec_oldoldoldold0001, whsec_newnewnewnew0002")
                .runRaw("config", "-o", "json");

        assertThat(json.exitCode()).isZero();
        assertThat(json.out())
                .contains(
                        "\"stripePublishableKey\": \"pk_test_…1111\"",
                        "\"stripeSettingsError\": null",
                        "\"whsec_…0001\"",
                        "\"whsec_…0002\"");
    }

    @Test
    void shouldRefuseLiveWithoutADatabaseUrlBeforeTouchingAnything() {
        AtomicBoolean started = new AtomicBoolean();
        Cli live = Cli.forClass(HelpAndUsageTest.class)
                .withDefaultDatabase(() -> {
                    started.set(true);
                    throw new AssertionError("must not start the embedded database with --live");
                })
                .stripe("https://127.0.0.1:" + Ports.unused(), "sk_live_51abcdefghijklmnopqrstu9876");
        Cli liveWithTestKey = live.copy().env("STRIPE_SECRET_KEY", "sk_test_51abcdefghijklmnopqrstu1234");

        for (Result result : List.of(
                live.runRaw("--live", "stripe", "sync"),
                live.runRaw("--live", "seed", "--with-stripe"),
                live.runRaw("seed", "--live"),
                live.runRaw("--live", "retry"),
                live.runRaw("--live", "balances"),
                liveWithTestKey.runRaw("--live", "stripe", "sync", "--dry-run"))) {
            assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCodes.USAGE);
            assertThat(result.err())
                    .as(result.toString())
                    .startsWith("error: --live needs a database URL")
                    .contains("--database-url or BILLING_DATABASE_URL")
                    .doesNotContain("abcdefghijklmnop");
            assertThat(result.err().lines().count()).isEqualTo(1);
            assertThat(result.out()).as(result.toString()).isEmpty();
        }
        assertThat(started).as("the embedded database was started").isFalse();
    }

    @Test
    void shouldNeverShowSecretsInOutputOrErrors() {
        String key = "sk_live_51SecretKeyNeverShown0001";
        String webhookSecret = "whsec_WebhookSecretNeverShown0002";
        String password = "DbPasswordNeverShown0003";
        Cli secrets = cli.env("STRIPE_SECRET_KEY", key)
                .env("STRIPE_WEBHOOK_SECRET", webhookSecret + ", ")
                .env("BILLING_DATABASE_PASSWORD", password);
        String url = "postgresql://admin:" + password + "@127.0.0.1:" + Ports.unused() + "/billing";

        List<Result> results = List.of(
                secrets.runRaw("config"),
                secrets.runRaw("config", "-o", "json"),
                secrets.runRaw("--verbose", "stripe", "sync"),
                secrets.runRaw(
                        "--verbose",
                        "--live",
                        "--stripe-api-base",
                        "http://user:" + password + "@stripe.test",
                        "stripe",
                        "sync"),
                secrets.runRaw("--verbose", "--database-url", url, "balances", "-o", "json"),
                secrets.runRaw("--verbose", "--database-url", url, "migrate"),
                secrets.runRaw("--verbose", "balances", "--top", key),
                secrets.runRaw("balances", "--top", "sk_live_51TypedKeyNeverShown0004"),
                secrets.copy()
                        .env("STRIPE_SECRET_KEY", "pk_live_" + key.substring(8))
                        .runRaw("--verbose", "stripe", "sync"));

        assertThat(results.get(1).out())
                .contains(
                        "\"stripeSecretKey\": \"sk_live_…0001\"",
                        "\"whsec_…0002\"",
                        "\"stripeSettingsError\": \"webhooks.secrets: must not contain a blank secret\"");
        assertThat(results.get(2).exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(results.get(2).err()).contains("is a live key (sk_live_…0001)");
        assertThat(results.get(4).exitCode()).isEqualTo(ExitCodes.UNREACHABLE);
        assertThat(results.get(7).exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(results.get(7).err()).contains("'sk_live_…0004'");
        for (Result result : results) {
            assertThat(result.out() + result.err())
                    .as(result.toString())
                    .doesNotContain(
                            "SecretKeyNeverShown",
                            "WebhookSecretNeverShown",
                            "DbPasswordNeverShown",
                            "TypedKeyNeverShown");
        }
    }

    private static String[] help(String[] command) {
        String[] args = Arrays.copyOf(command, command.length + 1);
        args[command.length] = "--help";
        return args;
    }

    private static CliEnvironment environment() {
        return new CliEnvironment(
                Map.of(),
                () -> {
                    throw new AssertionError("must not start a database");
                },
                false,
                Clock.systemUTC());
    }

    private static CommandLine subcommand(CommandLine root, String[] path) {
        CommandLine commandLine = root;
        for (String name : path) {
            commandLine = commandLine.getSubcommands().get(name);
        }
        return commandLine;
    }

    /** The same help drawn so wide that nothing wraps. */
    private static String unwrappedHelp(String[] command) {
        CommandLine root = BillingCli.newCommandLine(environment());
        root.setUsageHelpAutoWidth(false);
        root.setUsageHelpWidth(10_000);
        StringWriter help = new StringWriter();
        subcommand(root, command).usage(new PrintWriter(help, true));
        return help.toString();
    }

    /** The words of a text: the same, in any order, whatever the line breaks. */
    private static List<String> words(String text) {
        return Arrays.stream(text.split("\\s+")).filter(word -> !word.isEmpty()).toList();
    }
}
