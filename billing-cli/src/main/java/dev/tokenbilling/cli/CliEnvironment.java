package dev.tokenbilling.cli;

import dev.tokenbilling.embedded.EmbeddedDatabase;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What the CLI takes from its surroundings, injectable for tests: the environment variables, the
 * database to start when none is configured, whether output goes to a terminal, and the clock.
 */
public record CliEnvironment(
        Map<String, String> variables, DatabaseHandle.Launcher defaultDatabase, boolean terminal, Clock clock) {

    public CliEnvironment {
        variables = Map.copyOf(Objects.requireNonNull(variables, "variables"));
        Objects.requireNonNull(defaultDatabase, "defaultDatabase");
        Objects.requireNonNull(clock, "clock");
    }

    /** The real process: {@code System.getenv()}, the durable embedded database under {@code ~/.billing}, {@code System.console()}. */
    public static CliEnvironment system() {
        return new CliEnvironment(
                System.getenv(), CliEnvironment::startEmbedded, System.console() != null, Clock.systemUTC());
    }

    /** A copy with other variables (tests). */
    public CliEnvironment withVariables(Map<String, String> replacement) {
        return new CliEnvironment(replacement, defaultDatabase, terminal, clock);
    }

    /** A non-blank variable. */
    public Optional<String> variable(String name) {
        return Optional.ofNullable(variables.get(name)).map(String::trim).filter(value -> !value.isEmpty());
    }

    private static DatabaseHandle startEmbedded() {
        EmbeddedDatabase database = EmbeddedDatabase.startDefault();
        return new DatabaseHandle(
                database.dataSource(),
                "the embedded PostgreSQL in " + EmbeddedDatabase.DEFAULT_DIRECTORY + " (port " + database.port() + ")",
                true,
                database::close);
    }
}
