package dev.tokenbilling.cli;

import dev.tokenbilling.BillingSchema;
import dev.tokenbilling.DatabaseTopology;
import dev.tokenbilling.cli.server.CommandServer;
import dev.tokenbilling.cli.server.CommandServerFiles;
import dev.tokenbilling.embedded.EmbeddedServer;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine;

/**
 * {@code main} of the command server that {@code billing} starts beside the kept embedded PostgreSQL,
 * and how it runs a client's command: as {@code billing} would in the client's own process, with the
 * client's environment, working directory and terminal.
 */
public final class ServedCommands {

    private ServedCommands() {}

    /** Serves the {@code BILLING_HOME} given as the only argument until the server stops. */
    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: ServedCommands BILLING_HOME");
            System.exit(ExitCodes.USAGE);
        }
        Path home = Path.of(args[0]);
        EmbeddedServer database = EmbeddedServer.of(Map.of(EmbeddedServer.HOME_VARIABLE, home.toString()));
        var server = CommandServer.start(
                new CommandServerFiles(home.resolve("cli")),
                ServedCommands::run,
                () -> database.running().isPresent());
        if (server.isPresent()) {
            warmUp(home);
            server.get().awaitStop();
        }
        System.exit(ExitCodes.OK);
    }

    /**
     * Loads and runs what a typical command needs once, output discarded, so that the first command a
     * client sends is as quick as the next ones: the usage help and, when the default schema is already
     * current (a read must not migrate it behind anyone's back), a read of the packages.
     */
    private static void warmUp(Path home) {
        PrintStream discard = new PrintStream(java.io.OutputStream.nullOutputStream());
        Map<String, String> variables = Map.of(EmbeddedServer.HOME_VARIABLE, home.toString());
        List<List<String>> commands = new ArrayList<>(List.of(List.of("--help")));
        if (defaultSchemaIsCurrent(variables)) {
            commands.add(List.of("packages"));
            commands.add(List.of("packages", "--output", "json"));
        }
        // Never starts the PostgreSQL: a 'billing server stop' during the warm-up must stay stopped.
        DatabaseHandle.Launcher runningOnly = () -> CliEnvironment.runningEmbedded(variables)
                .orElseThrow(() -> new IllegalStateException("the embedded PostgreSQL stopped"));
        for (List<String> args : commands) {
            CliEnvironment environment = new CliEnvironment(variables, runningOnly, false, Clock.systemUTC());
            run(environment, args, home, discard, discard);
        }
    }

    private static boolean defaultSchemaIsCurrent(Map<String, String> variables) {
        Optional<DatabaseHandle> running;
        try {
            running = CliEnvironment.runningEmbedded(variables);
        } catch (RuntimeException e) {
            return false; // stopped while its pool started
        }
        if (running.isEmpty()) {
            return false;
        }
        try (AutoCloseable pool = running.get().onClose()) {
            return BillingSchema.isCurrent(
                    running.get().dataSource(), BillingSchema.DEFAULT_SCHEMA, DatabaseTopology.POSTGRESQL);
        } catch (Exception e) {
            return false;
        }
    }

    /** Runs one command in this JVM, its output going to {@code out} and {@code err}. */
    public static int run(CommandServer.Command command, PrintStream out, PrintStream err) {
        Map<String, String> variables = command.environment();
        CliEnvironment environment = new CliEnvironment(
                variables, () -> CliEnvironment.startEmbedded(variables), command.terminal(), Clock.systemUTC());
        return run(environment, command.args(), command.workingDirectory(), out, err);
    }

    private static int run(
            CliEnvironment environment,
            List<String> arguments,
            Path workingDirectory,
            PrintStream out,
            PrintStream err) {
        String[] args = arguments.toArray(String[]::new);
        CommandLine commandLine = BillingCli.newCommandLine(environment, args);
        commandLine.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        commandLine.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        // Relative paths are the client's: this JVM's working directory is not.
        commandLine.registerConverter(Path.class, value -> workingDirectory.resolve(value));
        if (environment.terminal() && environment.variable(CliContext.NO_COLOR).isEmpty()) {
            // picocli's AUTO asks this JVM's console, which it has none of; the client has a terminal.
            commandLine.setColorScheme(CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.ON));
        }
        try {
            return commandLine.execute(args);
        } finally {
            // What a command printed without a line end yet: a process would flush it at exit.
            commandLine.getOut().flush();
            commandLine.getErr().flush();
        }
    }
}
