package dev.tokenbilling.benchmarks;

import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** The options every benchmark takes (a picocli mixin). */
public final class CommonOptions {

    @Option(
            names = "--threads",
            paramLabel = "N",
            defaultValue = "8",
            description = "Concurrent worker threads (default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(
            names = "--seconds",
            paramLabel = "S",
            defaultValue = "10",
            description = "Measured seconds per run (default: ${DEFAULT-VALUE}).")
    int seconds;

    @Option(
            names = "--warmup",
            paramLabel = "S",
            defaultValue = "3",
            description = "Warm-up seconds before each measured run, not counted (default: ${DEFAULT-VALUE}).")
    int warmupSeconds;

    @Option(
            names = "--database-url",
            paramLabel = "URL",
            description =
                    "PostgreSQL to run against (jdbc:postgresql://host:port/db or postgresql://user:pass@host:port/db);"
                            + " user and password may also come from BILLING_DATABASE_USER / BILLING_DATABASE_PASSWORD."
                            + " Default: a throw-away embedded PostgreSQL, durable unless --fsync-off.")
    String databaseUrl;

    @Option(
            names = "--fsync-off",
            description = "Run the embedded PostgreSQL with fsync off: faster, not durable, not how users run it"
                    + " (default: durable, fsync and synchronous_commit on).")
    boolean fsyncOff;

    @Option(names = "--json", description = "Also print one JSON object with every figure as the last line of stdout.")
    boolean json;

    @Option(
            names = "--load",
            description = "Run a CPU burner (another process keeping one core busy) beside the benchmark,"
                    + " as a compiler or a noisy neighbour would.")
    boolean load;

    public boolean load() {
        return load;
    }

    public boolean fsyncOff() {
        return fsyncOff;
    }

    public int threads() {
        return threads;
    }

    public Duration measured() {
        return Duration.ofSeconds(seconds);
    }

    public int seconds() {
        return seconds;
    }

    public Duration warmup() {
        return Duration.ofSeconds(warmupSeconds);
    }

    public int warmupSeconds() {
        return warmupSeconds;
    }

    public Optional<String> databaseUrl() {
        return Optional.ofNullable(databaseUrl);
    }

    public boolean json() {
        return json;
    }

    /** Rejects values that cannot give a meaningful run. */
    public void validate(CommandSpec spec) {
        if (threads < 1 || threads > 180) {
            throw new ParameterException(spec.commandLine(), "--threads must be between 1 and 180, was " + threads);
        }
        if (seconds < 1) {
            throw new ParameterException(spec.commandLine(), "--seconds must be at least 1, was " + seconds);
        }
        if (warmupSeconds < 0) {
            throw new ParameterException(spec.commandLine(), "--warmup must not be negative, was " + warmupSeconds);
        }
    }
}
