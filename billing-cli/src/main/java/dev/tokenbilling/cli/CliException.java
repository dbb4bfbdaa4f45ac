package dev.tokenbilling.cli;

/**
 * A failure the CLI finds itself (a bad option value, a missing key, an unknown user), reported as one
 * line (the cause and the fix) with a documented exit code; no stack trace unless {@code --verbose}.
 * The library's own errors are not wrapped in it: {@link Failures} maps them by their code.
 */
public final class CliException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int exitCode;

    public CliException(int exitCode, String message) {
        this(exitCode, message, null);
    }

    public CliException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public static CliException failed(String message) {
        return new CliException(ExitCodes.FAILED, message);
    }

    public static CliException usage(String message) {
        return new CliException(ExitCodes.USAGE, message);
    }

    public int exitCode() {
        return exitCode;
    }
}
