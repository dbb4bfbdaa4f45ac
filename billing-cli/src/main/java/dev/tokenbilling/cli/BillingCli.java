package dev.tokenbilling.cli;

import dev.tokenbilling.cli.server.CommandClient;
import dev.tokenbilling.cli.server.CommandServerFiles;
import dev.tokenbilling.cli.server.CommandServerLauncher;
import dev.tokenbilling.embedded.EmbeddedServer;
import java.lang.reflect.Constructor;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;

/** {@code main} of the {@code billing} command, and the factory tests use with an injected environment. */
public final class BillingCli {

    private BillingCli() {}

    /**
     * The top-level usage without colors, as {@code billing --help} prints it: a build resource that
     * {@code UsageSnapshotTest} keeps equal to picocli's rendering, so that the most common question a
     * new user asks is answered without building the command model (a third of a short process).
     */
    static final String USAGE_SNAPSHOT = "usage.txt";

    public static void main(String[] args) {
        if (args.length == 1 && HELP.contains(args[0]) && printUsageSnapshot()) {
            System.exit(ExitCodes.OK);
        }
        // Before anything else is loaded or linked (CliEnvironment.system() makes the first lambda): a served
        // command costs little more than the JVM's start.
        OptionalInt served =
                CommandClient.forward(List.of(args), System.getenv(), System.console() != null, System.out, System.err);
        if (served.isPresent()) {
            System.exit(served.getAsInt());
        }
        CliEnvironment system = CliEnvironment.system();
        Map<String, String> variables = system.variables();
        if (Boolean.getBoolean("billing.cds.training")) {
            // bin/billing's run that records the class-data archive: the usage help's classes too.
            newCommandLine(system, "--help").usage(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        }
        AtomicBoolean keptServerUsed = new AtomicBoolean();
        CliEnvironment environment = new CliEnvironment(
                variables,
                () -> {
                    DatabaseHandle database = system.defaultDatabase().start();
                    keptServerUsed.set(EmbeddedServer.keepsRunning(variables));
                    return database;
                },
                system.terminal(),
                system.clock());
        int exitCode = newCommandLine(environment, args).execute(args);
        if (keptServerUsed.get()) {
            // The next commands run in a warm JVM beside the kept server (see ServedCommands).
            CommandServerLauncher.startInBackground(
                    CommandServerFiles.of(variables), variables, ServedCommands.class.getName());
        }
        System.exit(exitCode);
    }

    /** Prints the usage snapshot when colors are off (no terminal, or NO_COLOR); false when it was not printed. */
    private static boolean printUsageSnapshot() {
        String noColor = System.getenv(CliContext.NO_COLOR);
        if (System.console() != null && (noColor == null || noColor.isBlank())) {
            return false; // picocli colors the usage on a terminal
        }
        try (java.io.InputStream usage = BillingCli.class.getResourceAsStream(USAGE_SNAPSHOT)) {
            if (usage == null) {
                return false;
            }
            System.out.write(usage.readAllBytes());
            System.out.flush();
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /**
     * A ready {@code billing} command line with every subcommand built: commands get the shared
     * {@link CliContext} through their constructor; failures map to {@link ExitCodes}; resources close
     * after each execution.
     */
    public static CommandLine newCommandLine(CliEnvironment environment) {
        return create(environment, null);
    }

    /**
     * A command line to {@code execute(args)} once: only the subcommands named in {@code args} are built
     * in full (picocli reflects on every option of a command it builds). When help may be shown (no
     * command named and no {@code --version}, or {@code help}, {@code -h}, {@code --help}), the others
     * stand in with their name and description, enough for the usage's command list and for
     * suggestions after a typo; else they are left out. {@code completion} builds them all.
     */
    public static CommandLine newCommandLine(CliEnvironment environment, String... args) {
        Set<String> named = Set.copyOf(Arrays.asList(args));
        return create(environment, named.contains("completion") ? null : named);
    }

    private static final Set<String> HELP = Set.of("help", "-h", "--help");
    private static final Set<String> VERSION = Set.of("-V", "--version");

    private static CommandLine create(CliEnvironment environment, Set<String> named) {
        CliContext context = new CliContext(environment);
        CommandLine commandLine = new CommandLine(BillingCommand.class, new Factory(context));
        // Help lists the commands; a missing or mistyped command shows them too; --version needs none.
        boolean standIns = named == null
                || named.stream().anyMatch(HELP::contains)
                || (BillingCommand.SUBCOMMANDS.stream().noneMatch(entry -> named.contains(entry.getKey()))
                        && named.stream().noneMatch(VERSION::contains));
        for (Map.Entry<String, Class<?>> entry : BillingCommand.SUBCOMMANDS) {
            if (named == null || named.contains(entry.getKey())) {
                commandLine.addSubcommand(entry.getKey(), entry.getValue());
            } else if (standIns) {
                Command command = entry.getValue().getAnnotation(Command.class);
                CommandSpec standIn = CommandSpec.create().aliases(command.aliases());
                standIn.usageMessage()
                        .description(command.description())
                        .header(command.header())
                        .hidden(command.hidden());
                commandLine.addSubcommand(entry.getKey(), standIn);
            }
        }
        commandLine.addSubcommand(CommandLine.HelpCommand.class);
        Failures failures = context.failures();
        commandLine.setExecutionExceptionHandler(failures);
        commandLine.setExitCodeExceptionMapper(failures);
        commandLine.setParameterExceptionHandler(failures);
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        commandLine.setColorScheme(CommandLine.Help.defaultColorScheme(
                environment.terminal()
                                && environment.variable(CliContext.NO_COLOR).isEmpty()
                        ? CommandLine.Help.Ansi.AUTO
                        : CommandLine.Help.Ansi.OFF));
        commandLine.setExecutionStrategy(parseResult -> {
            if (context.options().verbose()) {
                System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "info");
            }
            try {
                return new CommandLine.RunLast().execute(parseResult);
            } finally {
                context.close();
            }
        });
        return commandLine;
    }

    /** Creates commands with the shared context when they take one. */
    static final class Factory implements CommandLine.IFactory {

        private final CliContext context;

        Factory(CliContext context) {
            this.context = context;
        }

        @Override
        public <K> K create(Class<K> type) throws Exception {
            try {
                Constructor<K> constructor = type.getDeclaredConstructor(CliContext.class);
                constructor.setAccessible(true);
                return constructor.newInstance(context);
            } catch (NoSuchMethodException e) {
                return CommandLine.defaultFactory().create(type);
            }
        }
    }
}
