package dev.tokenbilling.benchmarks;

import dev.tokenbilling.benchmarks.cli.CliCommand;
import dev.tokenbilling.benchmarks.ledger.LedgerCommand;
import dev.tokenbilling.benchmarks.ledger.LotsCommand;
import dev.tokenbilling.benchmarks.webhooks.WebhooksCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code java -jar benchmarks/target/benchmarks.jar <benchmark> [options]}: the top-level command;
 * each benchmark is a subcommand sharing {@link CommonOptions}.
 */
@Command(
        name = "benchmarks",
        mixinStandardHelpOptions = true,
        versionProvider = BenchmarksCommand.Version.class,
        description =
                "Runs a Token Billing benchmark and prints its figures next to a raw-SQL baseline run in the same process.",
        subcommands = {
            LedgerCommand.class,
            WebhooksCommand.class,
            LotsCommand.class,
            CliCommand.class,
            CommandLine.HelpCommand.class
        })
public final class BenchmarksCommand implements Runnable {

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        CommandLine commandLine = new CommandLine(new BenchmarksCommand())
                .setExecutionExceptionHandler((failure, command, parseResult) -> {
                    command.getErr().println(command.getCommandName() + ": " + describe(failure));
                    return 1;
                });
        System.exit(commandLine.execute(args));
    }

    /** The version from the jar's manifest ({@code Implementation-Version}). */
    public static final class Version implements CommandLine.IVersionProvider {

        @Override
        public String[] getVersion() {
            String version = BenchmarksCommand.class.getPackage().getImplementationVersion();
            return new String[] {"Token Billing benchmarks " + (version == null ? "(development build)" : version)};
        }
    }

    /** The failure and its causes on one line: enough to act on without a stack trace. */
    private static String describe(Throwable failure) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String message = t.getMessage() == null
                    ? t.getClass().getSimpleName()
                    : t.getMessage().lines().findFirst().orElse("");
            if (text.indexOf(message) < 0) {
                text.append(text.length() == 0 ? "" : ": ").append(message);
            }
        }
        return text.toString();
    }

    /** Without a subcommand there is nothing to run: show what there is. */
    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
