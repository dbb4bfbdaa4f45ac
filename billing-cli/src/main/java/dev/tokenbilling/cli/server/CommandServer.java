package dev.tokenbilling.cli.server;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A warm JVM that runs {@code billing} commands for the processes of one {@code BILLING_HOME}, over a
 * Unix socket in a directory only its owner can enter. Started in the background by a command that
 * used the kept embedded PostgreSQL, it serves until that server stops, until it was idle for
 * {@link #IDLE_LIMIT}, or until a client of another build asks; then it removes its socket, and the
 * next command runs in its own process again (and starts a new server).
 */
public final class CommandServer {

    /** How long a server with no command to run stays up. */
    public static final Duration IDLE_LIMIT = Duration.ofHours(3);

    private static final Duration CHECK_EVERY = Duration.ofSeconds(1);

    /** The exit code of a command that died of an unexpected exception, as {@code billing}'s own 1. */
    private static final int FAILED = 1;

    /** How long a new server waits for the lock of one that is stopping (it declined another build). */
    private static final Duration LOCK_WAIT = Duration.ofSeconds(10);

    /** One command as its client sent it. */
    public record Command(
            List<String> args, Map<String, String> environment, Path workingDirectory, boolean terminal) {}

    /** Runs a command in this JVM, writing to the client's streams; returns its exit code. */
    @FunctionalInterface
    public interface Runner {
        int run(Command command, PrintStream out, PrintStream err);
    }

    private final CommandServerFiles files;
    private final Runner runner;
    private final BooleanSupplier databaseRunning;
    private final String build;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final ServerSocketChannel channel;
    private final ExecutorService commands = Executors.newCachedThreadPool(daemonThreads("billing-command"));
    private final ScheduledExecutorService watchdog =
            Executors.newSingleThreadScheduledExecutor(daemonThreads("billing-command-watchdog"));
    private final CountDownLatch stopped = new CountDownLatch(1);
    private int running;
    private boolean stopping;
    private Instant lastActivity = Instant.now();

    private CommandServer(
            CommandServerFiles files,
            Runner runner,
            BooleanSupplier databaseRunning,
            FileChannel lockChannel,
            FileLock lock,
            ServerSocketChannel channel) {
        this.files = files;
        this.runner = runner;
        this.databaseRunning = databaseRunning;
        this.build = BuildIdentity.current();
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.channel = channel;
    }

    /**
     * Starts serving in background threads; empty when another server holds this home's lock (or the
     * socket cannot be made there). {@code databaseRunning} tells whether the kept PostgreSQL still
     * runs: once it does not, the server stops at its next idle moment.
     */
    public static Optional<CommandServer> start(
            CommandServerFiles files, Runner runner, BooleanSupplier databaseRunning) throws IOException {
        if (!files.socketPathFits()) {
            return Optional.empty();
        }
        createPrivateDirectory(files.directory());
        FileChannel lockChannel = FileChannel.open(files.lock(), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = lockWithin(lockChannel, LOCK_WAIT);
        if (lock == null) {
            lockChannel.close();
            return Optional.empty();
        }
        try {
            // Holding the lock, any socket file left here is a dead server's.
            Files.deleteIfExists(files.socket());
            ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            channel.bind(UnixDomainSocketAddress.of(files.socket()));
            Files.writeString(files.pid(), Long.toString(ProcessHandle.current().pid()));
            CommandServer server = new CommandServer(files, runner, databaseRunning, lockChannel, lock, channel);
            server.begin();
            return Optional.of(server);
        } catch (IOException | RuntimeException e) {
            lock.release();
            lockChannel.close();
            throw e;
        }
    }

    /** Blocks until the server stopped. */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    /** Waits at most {@code timeout} for the server to stop; whether it stopped. */
    public boolean awaitStop(Duration timeout) throws InterruptedException {
        return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops now when no command runs; else at the end of the last one. */
    public void stop(String reason) {
        synchronized (this) {
            if (stopping) {
                return;
            }
            stopping = true;
            if (running > 0) {
                return; // the last command to end finishes the stop
            }
        }
        finishStop(reason);
    }

    public CommandServerFiles files() {
        return files;
    }

    private void begin() {
        log("serving " + files.home() + " on " + files.socket());
        Thread acceptor = daemonThreads("billing-command-acceptor").newThread(this::acceptLoop);
        acceptor.start();
        long period = CHECK_EVERY.toMillis();
        watchdog.scheduleWithFixedDelay(this::check, period, period, TimeUnit.MILLISECONDS);
    }

    private void acceptLoop() {
        while (true) {
            SocketChannel client;
            try {
                client = channel.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                log("accept failed: " + e);
                stop("the socket failed");
                return;
            }
            commands.execute(() -> handle(client));
        }
    }

    private void handle(SocketChannel client) {
        try (client) {
            DataInputStream in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(client)));
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(client)));
            CommandProtocol.Request request = CommandProtocol.Request.readFrom(in);
            if (!request.build().equals(build)) {
                decline(out);
                stop("a client of another build asked");
                return;
            }
            if (!tryBegin()) {
                decline(out);
                return;
            }
            try {
                out.writeByte(CommandProtocol.ACCEPTED);
                out.flush();
                int exitCode = run(request, out);
                CommandProtocol.writeExit(out, exitCode);
            } finally {
                end();
            }
        } catch (IOException e) {
            // The client went away (interrupted by its user, say); nothing to tell it any more.
        }
    }

    private int run(CommandProtocol.Request request, DataOutputStream out) {
        PrintStream stdout = new PrintStream(
                new CommandProtocol.FrameStream(out, CommandProtocol.OUT), false, StandardCharsets.UTF_8);
        PrintStream stderr = new PrintStream(
                new CommandProtocol.FrameStream(out, CommandProtocol.ERR), false, StandardCharsets.UTF_8);
        Command command = new Command(
                request.args(), request.environment(), Path.of(request.workingDirectory()), request.terminal());
        int exitCode;
        try {
            exitCode = runner.run(command, stdout, stderr);
        } catch (RuntimeException | Error e) {
            // What an in-process run would have died of: the same message, and an exit code of 1.
            log("a command failed unexpectedly: " + e.getClass().getName());
            stderr.println("error: " + e);
            exitCode = FAILED;
        }
        stdout.flush();
        stderr.flush();
        return exitCode;
    }

    private static void decline(DataOutputStream out) throws IOException {
        out.writeByte(CommandProtocol.DECLINED);
        out.flush();
    }

    private synchronized boolean tryBegin() {
        if (stopping) {
            return false;
        }
        running++;
        return true;
    }

    private void end() {
        boolean finish;
        synchronized (this) {
            running--;
            lastActivity = Instant.now();
            finish = stopping && running == 0;
        }
        if (finish) {
            finishStop("stopping after the last command");
        }
    }

    private void check() {
        String reason = null;
        synchronized (this) {
            if (stopping || running > 0) {
                return;
            }
            if (!Files.exists(files.socket())) {
                reason = "its socket was removed";
            } else if (Duration.between(lastActivity, Instant.now()).compareTo(IDLE_LIMIT) > 0) {
                reason = "idle for " + IDLE_LIMIT.toHours() + " hours";
            }
        }
        if (reason == null && !databaseRunning.getAsBoolean()) {
            reason = "the embedded PostgreSQL is not running";
        }
        if (reason != null) {
            stop(reason);
        }
    }

    private void finishStop(String reason) {
        log("stopping: " + reason);
        try {
            channel.close();
        } catch (IOException e) {
            // closing anyway
        }
        try {
            // Before the lock goes: a successor binds its socket only once it holds the lock.
            Files.deleteIfExists(files.socket());
            Files.deleteIfExists(files.pid());
            lock.release();
            lockChannel.close();
        } catch (IOException e) {
            log("could not remove its files: " + e);
        }
        watchdog.shutdown();
        commands.shutdown();
        stopped.countDown();
    }

    private static FileLock lockWithin(FileChannel channel, Duration wait) throws IOException {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            try {
                FileLock lock = channel.tryLock();
                if (lock != null) {
                    return lock;
                }
            } catch (OverlappingFileLockException e) {
                return null; // held in this JVM
            }
            if (System.nanoTime() > deadline) {
                return null;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
    }

    /** The socket's directory: its owner's only, since whoever can connect runs commands as that owner. */
    static void createPrivateDirectory(Path directory) throws IOException {
        Files.createDirectories(directory);
        try {
            Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwx------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: its own access rules apply
        }
    }

    private static void log(String message) {
        System.err.println(Instant.now() + " billing command server "
                + ProcessHandle.current().pid() + ": " + message);
    }

    private static java.util.concurrent.ThreadFactory daemonThreads(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
