package dev.tokenbilling.cli.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;

/** Local ports for "cannot reach" tests. */
public final class Ports {

    private Ports() {}

    /** A local port nothing listens on: one the system just handed out and that was closed again. */
    public static int unused() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
