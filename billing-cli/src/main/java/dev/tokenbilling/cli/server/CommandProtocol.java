package dev.tokenbilling.cli.server;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a {@code billing} process and the command server say over the socket. The client sends one
 * {@link Request}; the server answers {@link #ACCEPTED} (it runs the command) or {@link #DECLINED}
 * (the client runs it itself), then the command's output as {@link #OUT} and {@link #ERR} frames and
 * one {@link #EXIT} frame with the exit code. A client that saw {@code ACCEPTED} never runs the
 * command again: a lost connection then is an error, not a retry.
 */
final class CommandProtocol {

    static final int MAGIC = 0x42494c4c; // "BILL"
    static final int VERSION = 1;

    static final int DECLINED = 0;
    static final int ACCEPTED = 1;
    static final int OUT = 2;
    static final int ERR = 3;
    static final int EXIT = 4;

    /** Far above any real command line or environment; bounds what a broken peer can make us allocate. */
    private static final int MAX_STRING_BYTES = 1 << 20;

    private static final int MAX_ITEMS = 10_000;

    private CommandProtocol() {}

    /**
     * One command to run: the build of the client (the server declines another build's commands), its
     * working directory, whether its output is a terminal, its environment and its arguments.
     */
    record Request(
            String build,
            String workingDirectory,
            boolean terminal,
            Map<String, String> environment,
            List<String> args) {

        /** Names the variables but never shows their values: they carry the caller's secrets. */
        @Override
        public String toString() {
            return "Request[args=" + args.size() + ", workingDirectory=" + workingDirectory + ", terminal=" + terminal
                    + ", variables=" + new java.util.TreeSet<>(environment.keySet()) + "]";
        }

        void writeTo(DataOutputStream out) throws IOException {
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            writeString(out, build);
            writeString(out, workingDirectory);
            out.writeBoolean(terminal);
            out.writeInt(environment.size());
            for (Map.Entry<String, String> variable : environment.entrySet()) {
                writeString(out, variable.getKey());
                writeString(out, variable.getValue());
            }
            out.writeInt(args.size());
            for (String arg : args) {
                writeString(out, arg);
            }
            out.flush();
        }

        static Request readFrom(DataInputStream in) throws IOException {
            if (in.readInt() != MAGIC || in.readInt() != VERSION) {
                throw new IOException("not a billing command request of protocol version " + VERSION);
            }
            String build = readString(in);
            String workingDirectory = readString(in);
            boolean terminal = in.readBoolean();
            int variables = count(in);
            Map<String, String> environment = new LinkedHashMap<>();
            for (int i = 0; i < variables; i++) {
                environment.put(readString(in), readString(in));
            }
            int argCount = count(in);
            List<String> args = new ArrayList<>(argCount);
            for (int i = 0; i < argCount; i++) {
                args.add(readString(in));
            }
            return new Request(build, workingDirectory, terminal, environment, args);
        }
    }

    /** An output stream whose bytes travel as frames of one kind; shared frame writes are serialized on {@code out}. */
    static final class FrameStream extends OutputStream {

        private final DataOutputStream out;
        private final int kind;

        FrameStream(DataOutputStream out, int kind) {
            this.out = out;
            this.kind = kind;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            if (length == 0) {
                return;
            }
            synchronized (out) {
                out.writeByte(kind);
                out.writeInt(length);
                out.write(bytes, offset, length);
            }
        }

        @Override
        public void flush() throws IOException {
            synchronized (out) {
                out.flush();
            }
        }
    }

    static void writeExit(DataOutputStream out, int exitCode) throws IOException {
        synchronized (out) {
            out.writeByte(EXIT);
            out.writeInt(exitCode);
            out.flush();
        }
    }

    static void writeString(DataOutputStream out, String value) throws IOException {
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    static String readString(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > MAX_STRING_BYTES) {
            throw new IOException("a string of " + length + " bytes");
        }
        return new String(readFully(in, length), StandardCharsets.UTF_8);
    }

    /** Reads a frame's payload length, refusing what no real frame has. */
    static int frameLength(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > MAX_STRING_BYTES) {
            throw new IOException("a frame of " + length + " bytes");
        }
        return length;
    }

    private static int count(DataInputStream in) throws IOException {
        int count = in.readInt();
        if (count < 0 || count > MAX_ITEMS) {
            throw new IOException(count + " items");
        }
        return count;
    }

    static byte[] readFully(DataInputStream in, int length) throws IOException {
        byte[] bytes = in.readNBytes(length);
        if (bytes.length != length) {
            throw new EOFException();
        }
        return bytes;
    }
}
