package dev.tokenbilling.cli;

import dev.tokenbilling.cli.command.AdjustCommand;
import dev.tokenbilling.cli.command.AuditCommand;
import dev.tokenbilling.cli.command.BalanceCommand;
import dev.tokenbilling.cli.command.BalancesCommand;
import dev.tokenbilling.cli.command.CompletionCommand;
import dev.tokenbilling.cli.command.ConfigCommand;
import dev.tokenbilling.cli.command.DoctorCommand;
import dev.tokenbilling.cli.command.EventsCommand;
import dev.tokenbilling.cli.command.ExpireCommand;
import dev.tokenbilling.cli.command.GrantCommand;
import dev.tokenbilling.cli.command.LedgerCommand;
import dev.tokenbilling.cli.command.MigrateCommand;
import dev.tokenbilling.cli.command.PackagesCommand;
import dev.tokenbilling.cli.command.PurchasesCommand;
import dev.tokenbilling.cli.command.RechargeCommand;
import dev.tokenbilling.cli.command.RetryCommand;
import dev.tokenbilling.cli.command.SeedCommand;
import dev.tokenbilling.cli.command.ServerCommand;
import dev.tokenbilling.cli.command.StripeCommand;
import dev.tokenbilling.cli.command.SubscriptionsCommand;
import dev.tokenbilling.cli.command.TiersCommand;
import dev.tokenbilling.cli.command.VoidGrantCommand;
import dev.tokenbilling.cli.command.WebhooksCommand;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code billing}: the top-level command and its global options, inherited by every subcommand. Its
 * subcommands, in the order the usage lists them, are {@link #SUBCOMMANDS}; {@link BillingCli} adds them.
 */
@Command(
        name = "billing",
        scope = ScopeType.INHERIT,
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        usageHelpAutoWidth = true,
        description =
                "Token packs, subscription tiers, balances, purchases and Stripe webhooks of token-billing, from the"
                        + " command line.",
        synopsisSubcommandLabel = "COMMAND",
        commandListHeading = "%nCommands:%n",
        footerHeading = "%nEnvironment:%n",
        footer = {
            "  BILLING_DATABASE_URL       postgresql://user:pass@host:5432/db (or a JDBC URL)",
            "                             (default: the embedded PostgreSQL under ~/.billing,",
            "                             kept running between commands: 'billing server')",
            "  BILLING_DATABASE_USER      database user, when the URL has none",
            "  BILLING_DATABASE_PASSWORD  database password, when the URL has none",
            "  BILLING_DATABASE_TOPOLOGY  postgresql (default) or citus",
            "  STRIPE_SECRET_KEY          Stripe secret key: sk_test_... (or sk_live_...)",
            "  STRIPE_WEBHOOK_SECRET      webhook signing secret(s), comma-separated",
            "  STRIPE_PUBLIC_KEY          publishable key pk_test_..., same mode as the key",
            "                             (VITE_STRIPE_PUBLISHABLE_KEY works too)",
            "  STRIPE_API_BASE            Stripe API base URL, e.g. a FakeStripe",
            "  BILLING_WEBHOOK_URL        the app's webhook URL, for 'billing doctor'",
            "  BILLING_HOME               embedded PostgreSQL home (default: ~/.billing)",
            "  BILLING_KEEP_SERVER        0: a new embedded PostgreSQL for each command",
            "  NO_COLOR                   set to turn colors off",
            "",
            "Run 'billing COMMAND --help' for a command's options."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:ok",
            "1:the operation failed (unknown user, Stripe rejected the key, audit or doctor found problems, ...)",
            "2:usage error: bad command line, option value or catalog file; missing Stripe key; live key without --live;"
                    + " --live without a database URL",
            "3:a dependency is unreachable: the database or Stripe (safe to retry)"
        })
public final class BillingCommand implements Callable<Integer> {

    /**
     * The subcommands by name, in the order the usage lists them ({@code help} comes last, from
     * picocli). The names are their {@code @Command} names (a test keeps them equal): with them, a
     * command line is built without reading every command's annotations.
     */
    static final List<Map.Entry<String, Class<?>>> SUBCOMMANDS = List.of(
            Map.entry("migrate", MigrateCommand.class),
            Map.entry("seed", SeedCommand.class),
            Map.entry("packages", PackagesCommand.class),
            Map.entry("tiers", TiersCommand.class),
            Map.entry("stripe", StripeCommand.class),
            Map.entry("balance", BalanceCommand.class),
            Map.entry("balances", BalancesCommand.class),
            Map.entry("ledger", LedgerCommand.class),
            Map.entry("grant", GrantCommand.class),
            Map.entry("void-grant", VoidGrantCommand.class),
            Map.entry("adjust", AdjustCommand.class),
            Map.entry("expire", ExpireCommand.class),
            Map.entry("purchases", PurchasesCommand.class),
            Map.entry("subscriptions", SubscriptionsCommand.class),
            Map.entry("recharge", RechargeCommand.class),
            Map.entry("retry", RetryCommand.class),
            Map.entry("webhooks", WebhooksCommand.class),
            Map.entry("events", EventsCommand.class),
            Map.entry("audit", AuditCommand.class),
            Map.entry("doctor", DoctorCommand.class),
            Map.entry("config", ConfigCommand.class),
            Map.entry("server", ServerCommand.class),
            Map.entry("completion", CompletionCommand.class));

    private final CliContext context;

    @Spec
    CommandSpec spec;

    public BillingCommand(CliContext context) {
        this.context = context;
    }

    @Option(
            names = "--database-url",
            paramLabel = "URL",
            scope = ScopeType.INHERIT,
            order = 1,
            description =
                    "PostgreSQL URL; default: env BILLING_DATABASE_URL, else the embedded database under ~/.billing.")
    void setDatabaseUrl(String url) {
        context.options().databaseUrl = url;
    }

    @Option(
            names = "--schema",
            paramLabel = "NAME",
            scope = ScopeType.INHERIT,
            order = 2,
            defaultValue = "billing",
            description = "Schema of the billing tables (default: ${DEFAULT-VALUE}).")
    void setSchema(String schema) {
        context.options().schema = schema;
    }

    @Option(
            names = "--topology",
            paramLabel = "LAYOUT",
            scope = ScopeType.INHERIT,
            order = 3,
            description = "postgresql or citus (the URL is a Citus coordinator); default: env"
                    + " BILLING_DATABASE_TOPOLOGY, else postgresql.")
    void setTopology(String topology) {
        context.options().topology = topology;
    }

    @Option(
            names = "--stripe-api-base",
            paramLabel = "URL",
            scope = ScopeType.INHERIT,
            order = 4,
            description = "Stripe API base URL, e.g. a FakeStripe; default: env STRIPE_API_BASE, else Stripe.")
    void setStripeApiBase(String url) {
        context.options().stripeApiBase = url;
    }

    @Option(
            names = {"-o", "--output"},
            paramLabel = "FORMAT",
            scope = ScopeType.INHERIT,
            order = 5,
            defaultValue = "table",
            converter = OutputFormat.Converter.class,
            description = "table, json or csv (default: ${DEFAULT-VALUE}).")
    void setOutput(OutputFormat format) {
        context.options().output = format;
    }

    @Option(names = "--no-color", scope = ScopeType.INHERIT, order = 6, description = "No colors, even on a terminal.")
    void setNoColor(boolean noColor) {
        context.options().noColor = noColor;
    }

    @Option(
            names = "--live",
            scope = ScopeType.INHERIT,
            order = 7,
            description =
                    "Allow changes to live Stripe data with a sk_live_ key; needs --database-url or BILLING_DATABASE_URL.")
    void setLive(boolean live) {
        context.options().live = live;
    }

    @Option(
            names = {"-v", "--verbose"},
            scope = ScopeType.INHERIT,
            order = 8,
            description = "Show library logs and stack traces of errors.")
    void setVerbose(boolean verbose) {
        context.options().verbose = verbose;
    }

    @Override
    public Integer call() {
        CommandLine commandLine = spec.commandLine();
        commandLine.getErr().println("error: missing COMMAND");
        commandLine.usage(commandLine.getErr());
        return ExitCodes.USAGE;
    }
}
