package dev.tokenbilling.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenbilling.cli.server.CommandServerFiles;
import dev.tokenbilling.embedded.EmbeddedServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded PostgreSQL kept running between commands: each command here is its own {@code billing}
 * process (a JVM on the test classpath), on the real embedded server under a temporary
 * {@code BILLING_HOME}; every test stops the server it started.
 */
class KeptServerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PORT = Pattern.compile("\\(port (\\d+),");

    @TempDir
    Path home;

    private EmbeddedServer server;

    @BeforeEach
    void server() {
        server = new EmbeddedServer(home.resolve("postgres"));
    }

    @AfterEach
    void stopServer() throws Exception {
        server.stop();
        assertThat(server.running()).isEmpty();
        // The command server a test's commands started follows its database within a second or two.
        Optional<ProcessHandle> commandServer = new CommandServerFiles(home.resolve("cli")).runningServer();
        if (commandServer.isPresent()) {
            commandServer.get().onExit().get(30, TimeUnit.SECONDS);
        }
    }

    /** What one {@code billing} process printed and returned. */
    record Run(int exitCode, String out, String err) {

        Run ok() {
            assertThat(exitCode).as(toString()).isZero();
            return this;
        }

        int port() {
            Matcher matcher = PORT.matcher(err);
            assertThat(matcher.find())
                    .as("the note names the server's port:\n" + this)
                    .isTrue();
            return Integer.parseInt(matcher.group(1));
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- out ---\n" + out + "--- err ---\n" + err;
        }
    }

    private Process launch(Map<String, String> extraVariables, String... args) throws IOException {
        return launchIn(Path.of("").toAbsolutePath(), extraVariables, args);
    }

    private Process launchIn(Path workingDirectory, Map<String, String> extraVariables, String... args)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp",
                System.getProperty("java.class.path"),
                BillingCli.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(workingDirectory.toFile());
        Map<String, String> environment = builder.environment();
        environment.keySet().removeIf(name -> name.startsWith("BILLING_") || name.startsWith("STRIPE_"));
        environment.put("BILLING_HOME", home.toString());
        environment.putAll(extraVariables);
        return builder.start();
    }

    private Run billing(Map<String, String> extraVariables, String... args) throws Exception {
        return finish(launch(extraVariables, args));
    }

    private Run billing(String... args) throws Exception {
        return billing(Map.of(), args);
    }

    private static Run finish(Process process) throws Exception {
        // Read both streams while it runs, so a full pipe never blocks it.
        var out = new java.util.concurrent.CompletableFuture<String>();
        var err = new java.util.concurrent.CompletableFuture<String>();
        Thread outReader = new Thread(() -> out.complete(read(process.getInputStream())));
        Thread errReader = new Thread(() -> err.complete(read(process.getErrorStream())));
        outReader.start();
        errReader.start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("billing did not finish within 120 s");
        }
        return new Run(process.exitValue(), out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS));
    }

    private static String read(java.io.InputStream stream) {
        try {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    /**
     * Whether the process is gone, or a zombie: the stopped postmaster is nobody's child any more, and
     * until init reaps it, it stays in the process table.
     */
    private static boolean exited(long pid) throws Exception {
        Optional<ProcessHandle> process = ProcessHandle.of(pid);
        if (process.isEmpty() || !process.get().isAlive()) {
            return true;
        }
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        try {
            String text = Files.readString(stat);
            return text.charAt(text.lastIndexOf(')') + 2) == 'Z';
        } catch (IOException e) {
            return true;
        }
    }

    private JsonNode status() throws Exception {
        return JSON.readTree(
                billing("server", "status", "--output", "json").ok().out());
    }

    @Test
    void shouldStartTheServerOnceAndReuseItInTheNextCommands() throws Exception {
        JsonNode before = status();
        assertThat(before.get("running").asBoolean()).isFalse();
        assertThat(before.get("pid").isNull()).isTrue();
        assertThat(before.get("dataDirectory").asText())
                .isEqualTo(home.resolve("postgres").toString());

        Run first = billing("packages").ok();
        JsonNode started = status();
        assertThat(started.get("running").asBoolean()).isTrue();
        long pid = started.get("pid").asLong();
        assertThat(started.get("port").asInt()).isEqualTo(first.port());
        assertThat(started.get("version").asText()).matches("\\d+(\\.\\d+)?.*");
        assertThat(started.get("keepServer").asBoolean()).isTrue();
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).contains(true);

        Run second = billing("packages").ok();
        assertThat(second.port()).isEqualTo(first.port());
        assertThat(status().get("pid").asLong()).as("no new postmaster").isEqualTo(pid);

        Run stop = billing("server", "stop").ok();
        assertThat(stop.out()).contains("Stopped the embedded PostgreSQL in " + home.resolve("postgres"));
        JsonNode stopped = status();
        assertThat(stopped.get("running").asBoolean()).isFalse();
        assertThat(exited(pid)).as("postmaster " + pid + " exited").isTrue();
        assertThat(home.resolve("postgres").resolve("postmaster.pid")).doesNotExist();
        assertThat(billing("server", "stop").ok().out()).contains("is not running");
    }

    @Test
    void shouldRecoverAKilledServerWithItsData() throws Exception {
        billing("seed").ok();
        billing("grant", "alice", "500k", "--reason", "kept server test", "--idempotency-key", "kept-1")
                .ok();
        long pid = status().get("pid").asLong();

        ProcessHandle postmaster = ProcessHandle.of(pid).orElseThrow();
        postmaster.destroyForcibly(); // SIGKILL: no shutdown, postmaster.pid left behind
        postmaster.onExit().get(30, TimeUnit.SECONDS);
        assertThat(home.resolve("postgres").resolve("postmaster.pid")).exists();
        assertThat(status().get("running").asBoolean()).isFalse();

        Run balance = billing("balance", "alice", "--output", "json").ok();
        assertThat(JSON.readTree(balance.out()).get("balance").asLong()).isEqualTo(500_000);
        long restarted = status().get("pid").asLong();
        assertThat(restarted).isNotEqualTo(pid);
        assertThat(billing("packages").ok().out()).contains("Starter");
    }

    @Test
    void shouldStartOneServerForConcurrentFirstCommands() throws Exception {
        List<Process> processes = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            processes.add(launch(Map.of(), "packages"));
        }
        List<Integer> ports = new ArrayList<>();
        for (Process process : processes) {
            ports.add(finish(process).ok().port());
        }
        assertThat(ports).containsOnly(ports.get(0));
        JsonNode status = status();
        assertThat(status.get("port").asInt()).isEqualTo(ports.get(0));
        String dataDirectory = home.resolve("postgres").toString();
        List<Long> postmasters = ProcessHandle.allProcesses()
                .filter(p ->
                        p.info().arguments().map(List::of).orElse(List.of()).contains(dataDirectory))
                .map(ProcessHandle::pid)
                .toList();
        assertThat(postmasters)
                .as("postmasters on this data directory")
                .containsExactly(status.get("pid").asLong());
    }

    /** The command server's pid once {@code billing server status} shows it running. */
    private long awaitCommandServer() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            JsonNode commandServer = status().get("commandServer");
            if (commandServer.get("running").asBoolean()) {
                return commandServer.get("pid").asLong();
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no command server started within 60 s");
    }

    private static void signal(String signal, long pid) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0).isTrue();
    }

    @Test
    void shouldRunTheNextCommandsInACommandServerThatStopsWithTheDatabase() throws Exception {
        billing("packages").ok();
        long commandServer = awaitCommandServer();
        assertThat(commandServer).isNotEqualTo(status().get("pid").asLong());

        // Proof that the next command runs there: while the server is frozen, the command waits.
        signal("STOP", commandServer);
        Process waiting;
        try {
            waiting = launch(Map.of(), "packages");
            assertThat(waiting.waitFor(3, TimeUnit.SECONDS))
                    .as("served, so held up")
                    .isFalse();
        } finally {
            signal("CONT", commandServer);
        }
        Run served = finish(waiting).ok();
        assertThat(served.out()).contains("No packages");
        assertThat(served.err()).contains("kept running");

        // Relative paths are the client's, exit codes and errors travel.
        Path shop = Files.createDirectories(home.resolve("shop"));
        Files.writeString(shop.resolve("catalog.yaml"), """
                packages:
                  - slug: starter-100k
                    name: Starter
                    tokenAmount: 100000
                    price: "5.00"
                """);
        Run seeded = finish(launchIn(shop, Map.of(), "seed", "--catalog", "catalog.yaml"))
                .ok();
        assertThat(seeded.out()).contains("Created: Starter");
        Run unknown = billing("balance", "nobody");
        assertThat(unknown.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(unknown.err()).contains("unknown user 'nobody'");
        assertThat(status().get("commandServer").get("pid").asLong()).isEqualTo(commandServer);

        Run stop = billing("server", "stop").ok();
        assertThat(stop.err()).contains("the command server (pid " + commandServer + ") stops with it");
        Optional<ProcessHandle> stopping = ProcessHandle.of(commandServer);
        if (stopping.isPresent()) {
            stopping.get().onExit().get(30, TimeUnit.SECONDS); // else: it did not stop with its database
        }
        JsonNode stopped = status().get("commandServer");
        assertThat(stopped.get("running").asBoolean()).isFalse();
        assertThat(home.resolve("cli").resolve("server.sock")).doesNotExist();
    }

    @Test
    void shouldFindTheRunningServerForTheWarmUpButNeverStartIt() throws Exception {
        Map<String, String> variables = Map.of("BILLING_HOME", home.toString());

        assertThat(CliEnvironment.runningEmbedded(variables)).isEmpty();
        assertThat(server.running()).as("still stopped").isEmpty();

        EmbeddedServer.Running running = server.start();
        DatabaseHandle found = CliEnvironment.runningEmbedded(variables).orElseThrow();
        try (var connection = found.dataSource().getConnection()) {
            assertThat(connection.isValid(5)).isTrue();
        } finally {
            found.onClose().close();
        }
        assertThat(found.description()).contains("port " + running.port());
    }

    @Test
    void shouldNeverMigrateFromTheCommandServerOnItsOwn() throws Exception {
        Run dryRun = billing("migrate", "--dry-run").ok();
        assertThat(dryRun.out()).contains("pending");
        awaitCommandServer();
        Thread.sleep(2_000); // its warm-up, had it run a database command, would have migrated by now

        assertThat(billing("migrate", "--dry-run").ok().out()).isEqualTo(dryRun.out());
    }

    @Test
    void shouldRunCommandsItselfWhenTheCommandServerWasKilledAndStartAnother() throws Exception {
        billing("grant", "alice", "1000", "--reason", "before", "--idempotency-key", "kill-1")
                .ok();
        long commandServer = awaitCommandServer();

        ProcessHandle killed = ProcessHandle.of(commandServer).orElseThrow();
        killed.destroyForcibly();
        killed.onExit().get(30, TimeUnit.SECONDS);
        assertThat(home.resolve("cli").resolve("server.sock")).as("left behind").exists();

        Run balance = billing("balance", "alice", "--output", "json").ok();
        assertThat(JSON.readTree(balance.out()).get("balance").asLong()).isEqualTo(1000);
        long successor = awaitCommandServer();
        assertThat(successor).isNotEqualTo(commandServer);
        assertThat(JSON.readTree(billing("balance", "alice", "--output", "json")
                                .ok()
                                .out())
                        .get("balance")
                        .asLong())
                .isEqualTo(1000);
    }

    @Test
    void shouldStartAndStopTheServerWithEachCommandWhenNotKept() throws Exception {
        Map<String, String> notKept = new HashMap<>(Map.of("BILLING_KEEP_SERVER", "0"));
        Run run = billing(notKept, "packages").ok();
        assertThat(run.out()).contains("No packages");
        assertThat(run.err()).doesNotContain("kept running");

        JsonNode status = JSON.readTree(
                billing(notKept, "server", "status", "--output", "json").ok().out());
        assertThat(status.get("running").asBoolean()).isFalse();
        assertThat(status.get("keepServer").asBoolean()).isFalse();
        assertThat(status.get("version").asText())
                .as("the data directory was made")
                .matches("\\d+");
        assertThat(home.resolve("postgres").resolve("postmaster.pid")).doesNotExist();
    }

    @Test
    void shouldStartAndStopOnRequest() throws Exception {
        JsonNode started = JSON.readTree(
                billing("server", "start", "--output", "json").ok().out());
        assertThat(started.get("started").asBoolean()).isTrue();
        assertThat(started.get("running").asBoolean()).isTrue();
        JsonNode again = JSON.readTree(
                billing("server", "start", "--output", "json").ok().out());
        assertThat(again.get("started").asBoolean()).isFalse();
        assertThat(again.get("pid").asLong()).isEqualTo(started.get("pid").asLong());

        Run status = billing("server", "status").ok();
        assertThat(status.out())
                .contains(
                        "Running:",
                        "yes",
                        "PID:",
                        started.get("pid").asText(),
                        home.resolve("postgres.log").toString());
        assertThat(Files.readString(home.resolve("postgres.log"))).contains("ready to accept connections");

        JsonNode stop =
                JSON.readTree(billing("server", "stop", "--output", "json").ok().out());
        assertThat(stop.get("stopped").asBoolean()).isTrue();
        assertThat(stop.get("stoppedPid").asLong()).isEqualTo(started.get("pid").asLong());
        assertThat(stop.get("running").asBoolean()).isFalse();
    }
}
