package dev.tokenbilling.cli.command;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenbilling.cli.CliContext;
import dev.tokenbilling.cli.ExitCodes;
import dev.tokenbilling.cli.Output;
import dev.tokenbilling.cli.server.CommandServerFiles;
import dev.tokenbilling.embedded.EmbeddedServer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code billing server status|start|stop}: the embedded PostgreSQL the CLI keeps running between
 * commands when no database URL is given.
 */
@Command(
        name = "server",
        description = {
            "The embedded PostgreSQL kept running between commands: 'billing server status', 'start', 'stop'.",
            "The first command without a database URL starts it; it runs until 'billing server stop'.",
            "Beside it a command server (a warm JVM) runs the next commands; it stops with it."
        },
        synopsisSubcommandLabel = "COMMAND",
        subcommands = {ServerCommand.Status.class, ServerCommand.Start.class, ServerCommand.Stop.class})
public final class ServerCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().getErr().println("error: missing COMMAND");
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCodes.USAGE;
    }

    private static EmbeddedServer server(CliContext context) {
        return EmbeddedServer.of(context.environment().variables());
    }

    /** Tells when the commands use another database, so that the server's state is not mistaken for theirs. */
    private static void noteDatabaseUrl(CliContext context, Output out) {
        if (context.databaseUrl().isPresent()) {
            out.note("note: a database URL is configured; commands use " + context.databaseLocation()
                    + ", not this server");
        }
    }

    private static ObjectNode json(
            EmbeddedServer server, Optional<EmbeddedServer.Running> running, Optional<String> version) {
        ObjectNode json = Output.newObject();
        json.put("dataDirectory", server.dataDirectory().toString());
        json.put("running", running.isPresent());
        if (running.isPresent()) {
            json.put("pid", running.get().pid());
            json.put("port", running.get().port());
        } else {
            json.putNull("pid");
            json.putNull("port");
        }
        json.put("version", version.orElse(null));
        json.put("logFile", server.logFile().toString());
        return json;
    }

    /** The running server's full version ({@code SHOW server_version}), else the data directory's major version. */
    private static Optional<String> version(EmbeddedServer server, Optional<EmbeddedServer.Running> running) {
        if (running.isPresent()) {
            try (Connection connection =
                            DriverManager.getConnection(running.get().jdbcUrl());
                    Statement statement = connection.createStatement();
                    ResultSet rows = statement.executeQuery("SHOW server_version")) {
                if (rows.next()) {
                    return Optional.of(rows.getString(1));
                }
            } catch (SQLException e) {
                // fall back to the data directory's
            }
        }
        return server.dataVersion();
    }

    private static List<String[]> pairs(
            EmbeddedServer server, Optional<EmbeddedServer.Running> running, Optional<String> version) {
        List<String[]> pairs = new ArrayList<>();
        pairs.add(new String[] {"Data directory", server.dataDirectory().toString()});
        pairs.add(new String[] {"Running", running.isPresent() ? "yes" : "no"});
        pairs.add(new String[] {"PID", running.map(r -> Long.toString(r.pid())).orElse("-")});
        pairs.add(new String[] {
            "Port", running.map(r -> Integer.toString(r.port())).orElse("-")
        });
        pairs.add(
                new String[] {"Version", version.orElse(server.dataVersion().isPresent() ? "-" : "(not initialized)")});
        pairs.add(new String[] {"Log", server.logFile().toString()});
        return pairs;
    }

    /** {@code billing server status}. */
    @Command(
            name = "status",
            description = {
                "Show the embedded PostgreSQL: data directory, whether it runs, its pid, port and version.",
                "Starts nothing."
            })
    static final class Status extends BaseCommand {

        Status(CliContext context) {
            super(context);
        }

        @Override
        protected int run() {
            EmbeddedServer server = server(context);
            Optional<EmbeddedServer.Running> running = server.running();
            Optional<String> version = version(server, running);
            noteDatabaseUrl(context, out());
            Map<String, String> variables = context.environment().variables();
            CommandServerFiles commandServer = CommandServerFiles.of(variables);
            Optional<ProcessHandle> commandServerProcess = commandServer.runningServer();
            if (!out().isTable()) {
                ObjectNode json = json(server, running, version);
                json.put("keepServer", EmbeddedServer.keepsRunning(variables));
                ObjectNode commands = json.putObject("commandServer");
                commands.put("running", commandServerProcess.isPresent());
                commandServerProcess.ifPresentOrElse(
                        process -> commands.put("pid", process.pid()), () -> commands.putNull("pid"));
                commands.put("enabled", CommandServerFiles.enabled(variables));
                commands.put("logFile", commandServer.log().toString());
                out().document(json);
                return ExitCodes.OK;
            }
            List<String[]> pairs = pairs(server, running, version);
            pairs.add(new String[] {
                "Kept running",
                EmbeddedServer.keepsRunning(variables)
                        ? "yes, between commands"
                        : "no (" + EmbeddedServer.KEEP_VARIABLE + "=0: each command starts and stops it)"
            });
            pairs.add(new String[] {
                "Command server",
                commandServerProcess
                        .map(process ->
                                "pid " + process.pid() + ": runs the commands in a warm JVM, stops with the server")
                        .orElse(
                                CommandServerFiles.enabled(variables)
                                        ? "not running (the next command that uses this server starts it)"
                                        : "off (" + CommandServerFiles.ENABLED_VARIABLE + "=0 or "
                                                + EmbeddedServer.KEEP_VARIABLE + "=0)")
            });
            out().pairs(pairs);
            return ExitCodes.OK;
        }
    }

    /** {@code billing server start}. */
    @Command(
            name = "start",
            description =
                    "Start the embedded PostgreSQL (creating its data directory the first time) and leave it running.")
    static final class Start extends BaseCommand {

        Start(CliContext context) {
            super(context);
        }

        @Override
        protected int run() {
            EmbeddedServer server = server(context);
            Optional<EmbeddedServer.Running> before = server.running();
            EmbeddedServer.Running running = before.orElseGet(server::start);
            Optional<String> version = version(server, Optional.of(running));
            noteDatabaseUrl(context, out());
            if (!out().isTable()) {
                ObjectNode json = json(server, Optional.of(running), version);
                json.put("started", before.isEmpty());
                out().document(json);
                return ExitCodes.OK;
            }
            out().line(
                            before.isPresent() ? Output.Style.PLAIN : Output.Style.GREEN,
                            (before.isPresent() ? "Already running: " : "✅ Started: ") + "the embedded PostgreSQL "
                                    + version.orElse("") + " in " + server.dataDirectory() + " (pid " + running.pid()
                                    + ", port " + running.port() + ").");
            return ExitCodes.OK;
        }
    }

    /** {@code billing server stop}. */
    @Command(
            name = "stop",
            description = {
                "Stop the embedded PostgreSQL with a fast shutdown: open sessions end, their transactions roll back.",
                "The next command without a database URL starts it again."
            })
    static final class Stop extends BaseCommand {

        Stop(CliContext context) {
            super(context);
        }

        @Override
        protected int run() {
            EmbeddedServer server = server(context);
            Optional<EmbeddedServer.Running> before = server.running();
            boolean stopped = server.stop();
            noteDatabaseUrl(context, out());
            if (!out().isTable()) {
                ObjectNode json = json(server, Optional.empty(), server.dataVersion());
                json.put("stopped", stopped);
                before.ifPresentOrElse(r -> json.put("stoppedPid", r.pid()), () -> json.putNull("stoppedPid"));
                out().document(json);
                return ExitCodes.OK;
            }
            out().line(
                            stopped ? Output.Style.GREEN : Output.Style.PLAIN,
                            stopped
                                    ? "✅ Stopped the embedded PostgreSQL in " + server.dataDirectory()
                                            + before.map(r -> " (pid " + r.pid() + ")")
                                                    .orElse("") + "."
                                    : "The embedded PostgreSQL in " + server.dataDirectory() + " is not running.");
            if (stopped) {
                CommandServerFiles.of(context.environment().variables())
                        .runningServer()
                        .ifPresent(commandServer -> out().note("note: the command server (pid " + commandServer.pid()
                                + ") stops with it; the next command runs in its own process and starts both again"));
            }
            return ExitCodes.OK;
        }
    }
}
