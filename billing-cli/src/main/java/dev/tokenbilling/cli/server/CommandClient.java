package dev.tokenbilling.cli.server;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The client side of the command server, run first by {@code billing}: when a server of this build
 * serves this {@code BILLING_HOME}, it runs the command there (a warm JVM: no class loading, no
 * connection pool to build) and relays its output and exit code. Only {@code java.base} is used
 * here, so that a served command costs little more than starting a JVM.
 */
public final class CommandClient {

    /** Exit code when the server accepted the command but the connection broke before its end. */
    static final int LOST = 1;

    private CommandClient() {}

    /**
     * Runs the command on the command server; empty when there is none to run it (none running, of
     * another build, disabled, or gone before accepting) or when {@code --verbose} asks for the library's
     * logs, and the caller then runs it itself.
     */
    public static OptionalInt forward(
            List<String> args, Map<String, String> environment, boolean terminal, PrintStream out, PrintStream err) {
        if (!CommandServerFiles.enabled(environment) || args.contains("-v") || args.contains("--verbose")) {
            // Verbose runs stay here: the server's library logs go to its log file, not to this terminal.
            return OptionalInt.empty();
        }
        CommandServerFiles files = CommandServerFiles.of(environment);
        Path socket = files.socket();
        if (!Files.exists(socket)) {
            return OptionalInt.empty();
        }
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            DataOutputStream requests =
                    new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(channel)));
            DataInputStream replies = new DataInputStream(new BufferedInputStream(Channels.newInputStream(channel)));
            // The server's working directory is not ours, nor need its BILLING_HOME be: both travel absolute.
            Map<String, String> variables = new HashMap<>(environment);
            variables.put("BILLING_HOME", files.home().toString());
            new CommandProtocol.Request(
                            BuildIdentity.current(),
                            Path.of("").toAbsolutePath().toString(),
                            terminal,
                            variables,
                            args)
                    .writeTo(requests);
            int answer;
            try {
                answer = replies.readUnsignedByte();
            } catch (EOFException e) {
                return OptionalInt.empty();
            }
            if (answer != CommandProtocol.ACCEPTED) {
                return OptionalInt.empty();
            }
            return OptionalInt.of(relay(replies, out, err, files));
        } catch (IOException e) {
            // No server behind the socket (killed, or stopping): this process runs the command.
            return OptionalInt.empty();
        }
    }

    private static int relay(DataInputStream replies, PrintStream out, PrintStream err, CommandServerFiles files) {
        try {
            while (true) {
                int kind = replies.readUnsignedByte();
                if (kind == CommandProtocol.EXIT) {
                    int exitCode = replies.readInt();
                    out.flush();
                    err.flush();
                    return exitCode;
                }
                byte[] bytes = CommandProtocol.readFully(replies, CommandProtocol.frameLength(replies));
                PrintStream target = kind == CommandProtocol.OUT ? out : err;
                target.write(bytes, 0, bytes.length);
                target.flush();
            }
        } catch (IOException e) {
            out.flush();
            err.println("error: the command server stopped before the command finished; it may or may not have"
                    + " taken effect (see " + files.log() + ")");
            err.flush();
            return LOST;
        }
    }
}
