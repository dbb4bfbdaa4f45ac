package dev.tokenbilling.cli;

import java.io.PrintWriter;

/** A one-line progress indicator on standard error, drawn only on a terminal; silent otherwise. */
public final class Progress implements AutoCloseable {

    private final PrintWriter err;
    private final boolean enabled;
    private int lastLength;
    private long lastDrawn;

    public Progress(Output output) {
        this.err = output.err();
        this.enabled = output.showsProgress();
    }

    /** Redraws the line (at most ten times a second). */
    public void update(String text) {
        if (!enabled) {
            return;
        }
        long now = System.nanoTime();
        if (now - lastDrawn < 100_000_000L && lastDrawn != 0) {
            return;
        }
        lastDrawn = now;
        String padded = text.length() < lastLength ? text + " ".repeat(lastLength - text.length()) : text;
        err.print("\r" + padded);
        err.flush();
        lastLength = text.length();
    }

    /** Clears the line. */
    @Override
    public void close() {
        if (enabled && lastLength > 0) {
            err.print("\r" + " ".repeat(lastLength) + "\r");
            err.flush();
        }
        lastLength = 0;
    }
}
