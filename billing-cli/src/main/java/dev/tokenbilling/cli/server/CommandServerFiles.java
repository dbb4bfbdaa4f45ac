package dev.tokenbilling.cli.server;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Where the command server of a {@code BILLING_HOME} keeps its files: {@code cli/} beside the
 * embedded PostgreSQL's {@code postgres/}, readable by its owner only.
 */
public record CommandServerFiles(Path directory) {

    /** {@code BILLING_COMMAND_SERVER=0} (or false, no, off): commands never use nor start a command server. */
    public static final String ENABLED_VARIABLE = "BILLING_COMMAND_SERVER";

    /** Unix socket paths longer than this do not fit {@code sockaddr_un} on Linux and macOS. */
    private static final int MAX_SOCKET_PATH = 100;

    public CommandServerFiles {
        directory = directory.toAbsolutePath().normalize();
    }

    /**
     * The files under {@code $BILLING_HOME} (else {@code ~/.billing}), the way {@code EmbeddedServer}
     * finds its home, computed here without loading it: the client side runs before anything else
     * ({@code CommandServerFilesTest} keeps the two equal).
     */
    public static CommandServerFiles of(Map<String, String> environment) {
        String home = environment.get("BILLING_HOME");
        Path root = home != null && !home.isBlank()
                ? Path.of(home.trim())
                : Path.of(System.getProperty("user.home"), ".billing");
        return new CommandServerFiles(root.resolve("cli"));
    }

    /**
     * Whether commands may use a command server: not with {@code BILLING_COMMAND_SERVER=0}, and not
     * with {@code BILLING_KEEP_SERVER=0} (each command then owns its PostgreSQL from start to stop),
     * read as {@code EmbeddedServer.keepsRunning} reads it, again without loading it (about 20 ms of a
     * served command's 250); {@code CommandServerFilesTest} keeps the two readings equal.
     */
    public static boolean enabled(Map<String, String> environment) {
        return !isOff(environment.get(ENABLED_VARIABLE)) && !isOff(environment.get("BILLING_KEEP_SERVER"));
    }

    private static boolean isOff(String value) {
        if (value == null) {
            return false;
        }
        String normalized = value.trim().toLowerCase(Locale.ROOT);
        return normalized.equals("0")
                || normalized.equals("false")
                || normalized.equals("no")
                || normalized.equals("off");
    }

    /** The {@code BILLING_HOME} these files belong to. */
    public Path home() {
        return directory.getParent();
    }

    public Path socket() {
        return directory.resolve("server.sock");
    }

    /** Held by the running server for its whole life: at most one server per home. */
    public Path lock() {
        return directory.resolve("server.lock");
    }

    /** The running server's pid, for {@code billing server status}. */
    public Path pid() {
        return directory.resolve("server.pid");
    }

    public Path log() {
        return directory.resolve("server.log");
    }

    /** Whether the socket's path fits a Unix socket address; a very deep home gets no command server. */
    public boolean socketPathFits() {
        return socket().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= MAX_SOCKET_PATH;
    }

    /**
     * The server serving this home, if one runs: its lock is held (a pid file alone could name a
     * killed server's pid, reused since by another process).
     */
    public Optional<ProcessHandle> runningServer() {
        if (!lockHeld()) {
            return Optional.empty();
        }
        try {
            long pid = Long.parseLong(Files.readString(pid()).trim());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
        } catch (IOException | NumberFormatException e) {
            return Optional.empty(); // starting, or stopping
        }
    }

    private boolean lockHeld() {
        if (!Files.exists(lock())) {
            return false;
        }
        try (FileChannel channel = FileChannel.open(lock(), StandardOpenOption.WRITE)) {
            FileLock probe = channel.tryLock();
            if (probe == null) {
                return true;
            }
            probe.release();
            return false;
        } catch (OverlappingFileLockException e) {
            return true; // held by a server in this JVM (tests)
        } catch (IOException e) {
            return false;
        }
    }
}
