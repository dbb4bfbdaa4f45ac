package dev.tokenbilling.cli.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command server and its client over a real Unix socket, with a runner that reports what it was
 * given: what travels, what the client does when no server can run the command, and when the server stops.
 */
class CommandServerTest {

    @TempDir
    Path home;

    private final AtomicBoolean databaseRunning = new AtomicBoolean(true);
    private final List<CommandServer> servers = new ArrayList<>();
    private CommandServerFiles files;
    private Map<String, String> environment;

    @BeforeEach
    void files() {
        files = new CommandServerFiles(home.resolve("cli"));
        environment = Map.of("BILLING_HOME", home.toString(), "STRIPE_SECRET_KEY", "sk_test_client");
    }

    @AfterEach
    void stopServers() {
        servers.forEach(server -> server.stop("test over"));
    }

    /** Echoes what it got; exit code 7 unless the first argument says otherwise. */
    private static int echo(CommandServer.Command command, PrintStream out, PrintStream err) {
        out.println("args=" + command.args());
        out.println("cwd=" + command.workingDirectory());
        out.println("terminal=" + command.terminal());
        out.println("home=" + command.environment().get("BILLING_HOME"));
        out.println("key=" + command.environment().get("STRIPE_SECRET_KEY"));
        err.println("a note ✅");
        return command.args().isEmpty() ? 7 : Integer.parseInt(command.args().get(0));
    }

    private CommandServer start(CommandServer.Runner runner) throws IOException {
        CommandServer server =
                CommandServer.start(files, runner, databaseRunning::get).orElseThrow();
        servers.add(server);
        return server;
    }

    /** What one forwarded command printed and returned. */
    private record Forwarded(OptionalInt exitCode, String out, String err) {}

    private Forwarded forward(Map<String, String> variables, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        OptionalInt exitCode = CommandClient.forward(
                List.of(args),
                variables,
                true,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Forwarded(exitCode, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private Forwarded forward(String... args) {
        return forward(environment, args);
    }

    @Test
    void shouldRunTheCommandWithTheClientsArgumentsEnvironmentAndDirectory() throws Exception {
        start(CommandServerTest::echo);

        Forwarded result = forward("3", "--reason", "two words", "ünïcode");

        assertThat(result.exitCode()).hasValue(3);
        assertThat(result.out())
                .contains("args=[3, --reason, two words, ünïcode]")
                .contains("cwd=" + Path.of("").toAbsolutePath())
                .contains("terminal=true")
                .contains("home=" + home.toAbsolutePath())
                .contains("key=sk_test_client");
        assertThat(result.err()).isEqualTo("a note ✅" + System.lineSeparator());
        assertThat(files.runningServer().map(ProcessHandle::pid))
                .contains(ProcessHandle.current().pid());
    }

    @Test
    void shouldNeverShowTheVariablesValuesOfARequest() {
        CommandProtocol.Request request =
                new CommandProtocol.Request("build", "/work", false, environment, List.of("balance", "alice"));

        assertThat(request.toString()).contains("STRIPE_SECRET_KEY").doesNotContain("sk_test_client");
    }

    @Test
    void shouldKeepTheSocketInADirectoryOnlyItsOwnerCanEnter() throws Exception {
        start(CommandServerTest::echo);

        assertThat(Files.getPosixFilePermissions(files.directory()))
                .isEqualTo(PosixFilePermissions.fromString("rwx------"));
        assertThat(files.socket()).exists();
    }

    @Test
    void shouldLeaveTheCommandToTheClientWhenNoServerCanRunIt() throws Exception {
        assertThat(forward("0").exitCode()).as("no server ever ran").isEmpty();

        Files.createDirectories(files.directory());
        Files.createFile(files.socket());
        assertThat(forward("0").exitCode()).as("a dead server's socket file").isEmpty();

        Files.delete(files.socket());
        start(CommandServerTest::echo);
        Map<String, String> off = Map.of("BILLING_HOME", home.toString(), "BILLING_COMMAND_SERVER", "0");
        assertThat(forward(off, "0").exitCode()).as("BILLING_COMMAND_SERVER=0").isEmpty();
        Map<String, String> notKept = Map.of("BILLING_HOME", home.toString(), "BILLING_KEEP_SERVER", "false");
        assertThat(forward(notKept, "0").exitCode())
                .as("BILLING_KEEP_SERVER=false")
                .isEmpty();
        assertThat(forward("0", "--verbose").exitCode())
                .as("verbose: library logs")
                .isEmpty();
        assertThat(forward("0").exitCode()).hasValue(0);
    }

    @Test
    void shouldDeclineAnotherBuildAndStopForItsSuccessor() throws Exception {
        CommandServer server = start(CommandServerTest::echo);

        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(files.socket()));
            DataOutputStream out = new DataOutputStream(Channels.newOutputStream(channel));
            new CommandProtocol.Request("another build", "/", false, environment, List.of("0")).writeTo(out);
            DataInputStream in = new DataInputStream(Channels.newInputStream(channel));
            assertThat(in.readUnsignedByte()).isEqualTo(CommandProtocol.DECLINED);
        }

        assertThat(awaitStopped(server)).isTrue();
        assertThat(files.socket()).doesNotExist();
        assertThat(files.runningServer()).isEmpty();
        assertThat(forward("0").exitCode()).isEmpty();
        start(CommandServerTest::echo);
        assertThat(forward("0").exitCode()).as("its successor serves").hasValue(0);
    }

    @Test
    void shouldStopOnceTheEmbeddedDatabaseStopped() throws Exception {
        CommandServer server = start(CommandServerTest::echo);

        databaseRunning.set(false);

        assertThat(awaitStopped(server)).isTrue();
        assertThat(files.socket()).doesNotExist();
        assertThat(forward("0").exitCode()).isEmpty();
    }

    @Test
    void shouldStopWhenItsSocketIsRemoved() throws Exception {
        CommandServer server = start(CommandServerTest::echo);

        Files.delete(files.socket());

        assertThat(awaitStopped(server)).isTrue();
    }

    @Test
    void shouldNotMistakeAStalePidFileForARunningServer() throws Exception {
        Files.createDirectories(files.directory());
        // A killed server's pid, reused since by a live process (this one), and its unheld lock file.
        Files.writeString(files.pid(), Long.toString(ProcessHandle.current().pid()));
        Files.createFile(files.lock());

        assertThat(files.runningServer()).isEmpty();

        start(CommandServerTest::echo);
        assertThat(files.runningServer()).isPresent();
    }

    @Test
    void shouldAllowOneServerPerHome() throws Exception {
        start(CommandServerTest::echo);

        assertThat(CommandServer.start(files, CommandServerTest::echo, () -> true))
                .isEmpty();
    }

    @Test
    void shouldFinishARunningCommandBeforeStoppingAndDeclineNewOnes() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CommandServer server = start((command, out, err) -> {
            started.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            out.println("done");
            return 0;
        });
        CompletableFuture<Forwarded> slow = CompletableFuture.supplyAsync(() -> forward("0"));
        assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();

        server.stop("test");
        assertThat(forward("0").exitCode()).as("declined while stopping").isEmpty();
        release.countDown();

        Forwarded finished = slow.get(30, TimeUnit.SECONDS);
        assertThat(finished.exitCode()).hasValue(0);
        assertThat(finished.out()).isEqualTo("done" + System.lineSeparator());
        assertThat(awaitStopped(server)).isTrue();
    }

    @Test
    void shouldRunConcurrentCommandsSideBySide() throws Exception {
        CountDownLatch both = new CountDownLatch(2);
        start((command, out, err) -> {
            both.countDown();
            try {
                return both.await(30, TimeUnit.SECONDS) ? 0 : 1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 1;
            }
        });

        CompletableFuture<Forwarded> first = CompletableFuture.supplyAsync(() -> forward("a"));
        CompletableFuture<Forwarded> second = CompletableFuture.supplyAsync(() -> forward("b"));

        assertThat(first.get(30, TimeUnit.SECONDS).exitCode()).hasValue(0);
        assertThat(second.get(30, TimeUnit.SECONDS).exitCode()).hasValue(0);
    }

    @Test
    void shouldReportACommandThatFailedUnexpectedlyWithoutStopping() throws Exception {
        start((command, out, err) -> {
            throw new IllegalStateException("boom");
        });

        Forwarded failed = forward("0");

        assertThat(failed.exitCode()).hasValue(1);
        assertThat(failed.err()).contains("error: java.lang.IllegalStateException: boom");
        assertThat(forward("0").exitCode()).as("still serving").hasValue(1);
    }

    private static boolean awaitStopped(CommandServer server) throws InterruptedException {
        return server.awaitStop(Duration.ofSeconds(30));
    }
}
