package dev.tokenbilling.cli;

import dev.tokenbilling.cli.server.CommandServer;
import dev.tokenbilling.cli.server.CommandServerFiles;
import dev.tokenbilling.embedded.EmbeddedServer;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
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
     * client sends is as quick as the next ones: the usage help and a read of the packages.
     */
    private static void warmUp(Path home) {
        PrintStream discard = new PrintStream(java.io.OutputStream.nullOutputStream());
        Map<String, String> variables = Map.of(EmbeddedServer.HOME_VARIABLE, home.toString());
        for (String[] args : new String[][] {{"--help"}, {"packages"}, {"packages", "--output", "json"}}) {
            run(new CommandServer.Command(java.util.List.of(args), variables, home, false), discard, discard);
        }
    }

    /** Runs one command in this JVM, its output going to {@code out} and {@code err}. */
    public static int run(CommandServer.Command command, PrintStream out, PrintStream err) {
        Map<String, String> variables = command.environment();
        CliEnvironment environment = new CliEnvironment(
                variables, () -> CliEnvironment.startEmbedded(variables), command.terminal(), Clock.systemUTC());
        String[] args = command.args().toArray(String[]::new);
        CommandLine commandLine = BillingCli.newCommandLine(environment, args);
        commandLine.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        commandLine.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        // Relative paths are the client's: this JVM's working directory is not.
        Path workingDirectory = command.workingDirectory();
        commandLine.registerConverter(Path.class, value -> workingDirectory.resolve(value));
        if (environment.terminal() && environment.variable(CliContext.NO_COLOR).isEmpty()) {
            // picocli's AUTO asks this JVM's console, which it has none of; the client has a terminal.
            commandLine.setColorScheme(CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.ON));
        }
        return commandLine.execute(args);
    }
}
