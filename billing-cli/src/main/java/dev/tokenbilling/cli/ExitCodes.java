package dev.tokenbilling.cli;

/** The exit codes of {@code billing}, listed in {@code billing --help}. Stable: scripts rely on them. */
public final class ExitCodes {

    /** The command did what was asked. */
    public static final int OK = 0;
    /** The command ran but the operation failed (unknown user, Stripe rejected the key, audit found problems, ...). */
    public static final int FAILED = 1;
    /**
     * The command line or the configuration is wrong (unknown option, bad duration, malformed catalog, missing key,
     * {@code --live} without a database URL).
     */
    public static final int USAGE = 2;
    /** A dependency could not be reached: the database or Stripe. Safe to retry later. */
    public static final int UNREACHABLE = 3;

    private ExitCodes() {}
}
