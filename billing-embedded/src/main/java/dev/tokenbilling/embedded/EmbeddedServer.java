package dev.tokenbilling.embedded;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The durable embedded PostgreSQL kept running between processes: the first {@link #start()} starts
 * it on its data directory and leaves it running when the JVM exits; later calls, from this process
 * or any other, find it through the data directory's {@code postmaster.pid} and start nothing. Starting
 * and stopping are serialized across processes by a file lock ({@code postgres.lock} beside the data
 * directory), so two processes never both start it. A server that was killed leaves a stale
 * {@code postmaster.pid}: the next {@link #start()} removes it (only when its process is really gone)
 * and starts the server again, and PostgreSQL recovers from its write-ahead log.
 *
 * <p>Its settings are {@link EmbeddedDatabase#start(Path)}'s: fsync, synchronous commit and full page
 * writes on. The server's output goes to {@code postgres.log} beside the data directory.
 */
public final class EmbeddedServer {

    /** Moves {@code ~/.billing}: the data directory is {@code $BILLING_HOME/postgres}. */
    public static final String HOME_VARIABLE = "BILLING_HOME";

    /** {@code 0} (or {@code false}, {@code no}): start and stop the embedded server with each process. */
    public static final String KEEP_VARIABLE = "BILLING_KEEP_SERVER";

    private static final Duration STOP_WAIT = Duration.ofSeconds(60);
    private static final Duration READY_WAIT = Duration.ofSeconds(60);

    /** File locks are held per JVM: threads of one process take turns here before taking the file lock. */
    private static final ReentrantLock IN_PROCESS = new ReentrantLock();

    private final Path dataDirectory;
    private final Path lockFile;
    private final Path logFile;

    public EmbeddedServer(Path dataDirectory) {
        this.dataDirectory = dataDirectory.toAbsolutePath().normalize();
        String name = this.dataDirectory.getFileName().toString();
        this.lockFile = this.dataDirectory.resolveSibling(name + ".lock");
        this.logFile = this.dataDirectory.resolveSibling(name + ".log");
    }

    /** {@code $BILLING_HOME}, else {@code ~/.billing}. */
    public static Path home(Map<String, String> environment) {
        String home = environment.get(HOME_VARIABLE);
        if (home != null && !home.isBlank()) {
            return Path.of(home.trim()).toAbsolutePath().normalize();
        }
        return Path.of(System.getProperty("user.home"), ".billing");
    }

    /** The server on {@code home(environment)/postgres}. */
    public static EmbeddedServer of(Map<String, String> environment) {
        return new EmbeddedServer(home(environment).resolve("postgres"));
    }

    /** Whether the server is kept running between processes: unless {@code BILLING_KEEP_SERVER} is 0, false or no. */
    public static boolean keepsRunning(Map<String, String> environment) {
        String keep = environment.get(KEEP_VARIABLE);
        if (keep == null) {
            return true;
        }
        String value = keep.trim().toLowerCase(java.util.Locale.ROOT);
        return !(value.equals("0") || value.equals("false") || value.equals("no") || value.equals("off"));
    }

    public Path dataDirectory() {
        return dataDirectory;
    }

    public Path lockFile() {
        return lockFile;
    }

    public Path logFile() {
        return logFile;
    }

    /** A running server: its postmaster's pid and port. */
    public record Running(long pid, int port, Path dataDirectory) {

        /** JDBC URL of the database {@code postgres} as the superuser {@code postgres} (trust authentication). */
        public String jdbcUrl() {
            return "jdbc:postgresql://localhost:" + port + "/postgres?user=postgres";
        }
    }

    /** The server running on the data directory, if any; starts nothing and takes no lock. */
    public Optional<Running> running() {
        Optional<PidFile> pidFile = PidFile.read(dataDirectory);
        if (pidFile.isEmpty()) {
            return Optional.empty();
        }
        PidFile pid = pidFile.get();
        if (!pid.ready() || pid.port() <= 0 || !isPostgresAlive(pid.pid()) || !listening(pid.port())) {
            return Optional.empty();
        }
        return Optional.of(new Running(pid.pid(), pid.port(), dataDirectory));
    }

    /**
     * The running server, started first when none is (initializing the data directory the first time),
     * and left running when this JVM exits.
     */
    public Running start() {
        Optional<Running> found = running();
        if (found.isPresent()) {
            return found.get();
        }
        try (Closeable lock = lock()) {
            found = running();
            if (found.isPresent()) {
                return found.get(); // another process started it while this one waited for the lock
            }
            Optional<PidFile> pid = PidFile.read(dataDirectory);
            if (pid.isPresent() && isPostgresAlive(pid.get().pid())) {
                // Starting (crash recovery) or stopping, by someone not holding the lock: wait for it.
                return awaitReadyOrGone(pid.get().pid());
            }
            removeStalePidFile();
            startDetached();
            return running()
                    .orElseThrow(() -> new IllegalStateException("The embedded PostgreSQL in " + dataDirectory
                            + " did not stay up after starting; see " + logFile));
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "Could not start the embedded PostgreSQL in " + dataDirectory + ": " + e.getMessage(), e);
        }
    }

    /**
     * Stops the server with a fast shutdown (sessions are ended, transactions rolled back, the data
     * checkpointed), waiting until it is down. Returns false when it was not running; a stale
     * {@code postmaster.pid} is removed then.
     */
    public boolean stop() {
        try (Closeable lock = lock()) {
            Optional<PidFile> pid = PidFile.read(dataDirectory);
            if (pid.isEmpty() || !isPostgresAlive(pid.get().pid())) {
                removeStalePidFile();
                return false;
            }
            long postmaster = pid.get().pid();
            if (!pgCtlStop(postmaster)) {
                signalFastShutdown(postmaster);
            }
            long deadline = System.nanoTime() + STOP_WAIT.toNanos();
            // PostgreSQL removes postmaster.pid just before it exits: wait for the process itself.
            while (isPostgresAlive(postmaster)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("The embedded PostgreSQL (pid " + postmaster
                            + ") did not stop within " + STOP_WAIT.toSeconds() + " s; see " + logFile);
                }
                sleep(20);
            }
            removeStalePidFile();
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "Could not stop the embedded PostgreSQL in " + dataDirectory + ": " + e.getMessage(), e);
        }
    }

    /** The PostgreSQL major version the data directory was created with ({@code PG_VERSION}), if initialized. */
    public Optional<String> dataVersion() {
        try {
            return Optional.of(Files.readString(dataDirectory.resolve("PG_VERSION"), StandardCharsets.US_ASCII)
                    .trim());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    // ---- starting ----------------------------------------------------------------------------

    private void startDetached() throws IOException {
        Files.createDirectories(dataDirectory);
        // zonky runs initdb when the directory has no postgresql.conf, then "pg_ctl -w start": the
        // postmaster is detached from this JVM (its own session), and without the shutdown hook nothing
        // stops it when the JVM exits.
        EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                .setDataDirectory(dataDirectory)
                .setCleanDataDirectory(false)
                .setRegisterShutdownHook(false)
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("full_page_writes", "on")
                .setOutputRedirector(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .setErrorRedirector(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .setPGStartupWait(READY_WAIT)
                .start();
        releaseZonkyLock(postgres);
    }

    /**
     * zonky holds a lock on {@code epg-lock} in the data directory until its object is closed, which
     * would also stop the server; the server outlives this object, so the lock is let go now (else a
     * restart from this same JVM, after the server was killed, could not take it).
     */
    private static void releaseZonkyLock(EmbeddedPostgres postgres) {
        try {
            Field stream = EmbeddedPostgres.class.getDeclaredField("lockStream");
            stream.setAccessible(true);
            Object lockStream = stream.get(postgres);
            if (lockStream instanceof Closeable closeable) {
                closeable.close(); // closes its channel, which releases the lock
            }
        } catch (ReflectiveOperationException | RuntimeException | IOException e) {
            // Another zonky version: the lock is released when this JVM exits.
        }
    }

    private Running awaitReadyOrGone(long pid) {
        long deadline = System.nanoTime() + READY_WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<Running> found = running();
            if (found.isPresent()) {
                return found.get();
            }
            if (!isPostgresAlive(pid)) {
                removeStalePidFile();
                try {
                    startDetached();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                return running()
                        .orElseThrow(() -> new IllegalStateException(
                                "The embedded PostgreSQL in " + dataDirectory + " did not start; see " + logFile));
            }
            sleep(50);
        }
        throw new IllegalStateException("The embedded PostgreSQL (pid " + pid + ") in " + dataDirectory
                + " is neither ready nor gone after " + READY_WAIT.toSeconds() + " s; see " + logFile);
    }

    /** Removes {@code postmaster.pid} when the process it names is gone (never a live server's). */
    private void removeStalePidFile() {
        Optional<PidFile> pid = PidFile.read(dataDirectory);
        if (pid.isPresent() && !isPostgresAlive(pid.get().pid())) {
            try {
                Files.deleteIfExists(dataDirectory.resolve("postmaster.pid"));
            } catch (IOException e) {
                throw new UncheckedIOException(
                        "Could not remove the stale " + dataDirectory.resolve("postmaster.pid"), e);
            }
        }
    }

    private Closeable lock() throws IOException {
        Files.createDirectories(lockFile.getParent());
        IN_PROCESS.lock();
        FileChannel channel = null;
        try {
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = channel.lock();
            FileChannel held = channel;
            return () -> {
                try {
                    lock.release();
                    held.close();
                } finally {
                    IN_PROCESS.unlock();
                }
            };
        } catch (IOException | RuntimeException e) {
            if (channel != null) {
                channel.close();
            }
            IN_PROCESS.unlock();
            throw e;
        }
    }

    // ---- stopping ----------------------------------------------------------------------------

    /** {@code pg_ctl stop -m fast} from the running postmaster's own binaries; false when they cannot be found. */
    private boolean pgCtlStop(long pid) {
        Optional<Path> postgres =
                ProcessHandle.of(pid).flatMap(handle -> handle.info().command()).map(Path::of);
        if (postgres.isEmpty() || postgres.get().getParent() == null) {
            return false;
        }
        Path pgCtl = postgres.get().resolveSibling(isWindows() ? "pg_ctl.exe" : "pg_ctl");
        if (!Files.isExecutable(pgCtl)) {
            return false;
        }
        return run(List.of(
                pgCtl.toString(),
                "-D",
                dataDirectory.toString(),
                "stop",
                "-m",
                "fast",
                "-w",
                "-t",
                Long.toString(STOP_WAIT.toSeconds())));
    }

    /** SIGINT is PostgreSQL's fast shutdown. */
    private boolean signalFastShutdown(long pid) {
        return !isWindows() && run(List.of("kill", "-INT", Long.toString(pid)));
    }

    private boolean run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .start();
            if (!process.waitFor(STOP_WAIT.toSeconds() + 5, TimeUnit.SECONDS)) {
                process.destroy();
                return false;
            }
            return process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    // ---- the postmaster ----------------------------------------------------------------------

    /**
     * Whether {@code pid} is a live PostgreSQL process: not gone, not a zombie (a killed postmaster
     * whose parent has not reaped it), and not another program that was given the pid since.
     */
    static boolean isPostgresAlive(long pid) {
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isEmpty() || !handle.get().isAlive()) {
            return false;
        }
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        if (Files.isReadable(stat)) {
            try {
                String text = Files.readString(stat, StandardCharsets.US_ASCII);
                int end = text.lastIndexOf(')');
                if (end > 0 && end + 2 < text.length()) {
                    char state = text.charAt(end + 2);
                    if (state == 'Z' || state == 'X' || state == 'x') {
                        return false;
                    }
                }
            } catch (IOException e) {
                // gone meanwhile
                return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
            }
        }
        Optional<String> command = handle.get().info().command();
        return command.isEmpty()
                || Path.of(command.get())
                        .getFileName()
                        .toString()
                        .toLowerCase(java.util.Locale.ROOT)
                        .startsWith("postgres");
    }

    private static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean isWindows() {
        return System.getProperty("os.name", "")
                .toLowerCase(java.util.Locale.ROOT)
                .startsWith("windows");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** {@code postmaster.pid}: pid, data directory, start time, port, socket directory, listen address, shared memory key, status. */
    record PidFile(long pid, int port, String status) {

        boolean ready() {
            // Line 8 appeared in PostgreSQL 10; "ready" once the server accepts connections.
            return status.equals("ready");
        }

        static Optional<PidFile> read(Path dataDirectory) {
            List<String> lines;
            try {
                lines = Files.readAllLines(dataDirectory.resolve("postmaster.pid"), StandardCharsets.UTF_8);
            } catch (NoSuchFileException e) {
                return Optional.empty();
            } catch (IOException e) {
                return Optional.empty();
            }
            if (lines.isEmpty()) {
                return Optional.empty();
            }
            try {
                long pid = Long.parseLong(lines.get(0).trim());
                int port = lines.size() > 3 && !lines.get(3).isBlank()
                        ? Integer.parseInt(lines.get(3).trim())
                        : -1;
                String status = lines.size() > 7 ? lines.get(7).trim() : "";
                return Optional.of(new PidFile(pid, port, status));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
    }
}
