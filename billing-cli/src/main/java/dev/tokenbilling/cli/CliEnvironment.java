package dev.tokenbilling.cli;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tokenbilling.embedded.EmbeddedDatabase;
import dev.tokenbilling.embedded.EmbeddedServer;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What the CLI takes from its surroundings, injectable for tests: the environment variables, the
 * database to start when none is configured, whether output goes to a terminal, and the clock.
 */
public record CliEnvironment(
        Map<String, String> variables, DatabaseHandle.Launcher defaultDatabase, boolean terminal, Clock clock) {

    private static final String KEPT_NOTE = "kept running; 'billing server stop' stops it";

    public CliEnvironment {
        variables = Map.copyOf(Objects.requireNonNull(variables, "variables"));
        Objects.requireNonNull(defaultDatabase, "defaultDatabase");
        Objects.requireNonNull(clock, "clock");
    }

    /**
     * The real process: {@code System.getenv()}, the durable embedded database under {@code ~/.billing}
     * (or {@code $BILLING_HOME}), {@code System.console()}.
     */
    public static CliEnvironment system() {
        Map<String, String> variables = System.getenv();
        return new CliEnvironment(
                variables, () -> startEmbedded(variables), System.console() != null, Clock.systemUTC());
    }

    /** A copy with other variables (tests). */
    public CliEnvironment withVariables(Map<String, String> replacement) {
        return new CliEnvironment(replacement, defaultDatabase, terminal, clock);
    }

    /** A non-blank variable. */
    public Optional<String> variable(String name) {
        return Optional.ofNullable(variables.get(name)).map(String::trim).filter(value -> !value.isEmpty());
    }

    /**
     * The durable embedded database under {@code $BILLING_HOME/postgres} (default {@code ~/.billing/postgres}):
     * the server kept running between commands (started by the first one, found by the next ones), or,
     * with {@code BILLING_KEEP_SERVER=0}, started for this command and stopped after it (unless one is
     * already running there, which is used and left running).
     */
    public static DatabaseHandle startEmbedded(Map<String, String> variables) {
        EmbeddedServer server = EmbeddedServer.of(variables);
        if (!EmbeddedServer.keepsRunning(variables)) {
            var running = server.running();
            if (running.isEmpty()) {
                EmbeddedDatabase database = EmbeddedDatabase.start(server.dataDirectory());
                return new DatabaseHandle(
                        database.dataSource(),
                        "the embedded PostgreSQL in " + server.dataDirectory() + " (port " + database.port() + ")",
                        true,
                        database::close);
            }
            return kept(server, running.get(), "already running, left running");
        }
        return kept(server, server.start(), KEPT_NOTE);
    }

    /**
     * The kept embedded database under {@code $BILLING_HOME/postgres} when it runs; empty when it does
     * not (this starts nothing).
     */
    public static Optional<DatabaseHandle> runningEmbedded(Map<String, String> variables) {
        EmbeddedServer server = EmbeddedServer.of(variables);
        return server.running().map(running -> kept(server, running, KEPT_NOTE));
    }

    private static DatabaseHandle kept(EmbeddedServer server, EmbeddedServer.Running running, String note) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(running.jdbcUrl());
        config.setUsername("postgres");
        config.setPoolName("billing-cli-embedded");
        config.setMaximumPoolSize(4);
        config.setMinimumIdle(1);
        config.setConnectionTimeout(Duration.ofSeconds(5).toMillis());
        config.addDataSourceProperty("ApplicationName", "billing-cli");
        HikariDataSource pool = new HikariDataSource(config);
        return new DatabaseHandle(
                pool,
                "the embedded PostgreSQL in " + server.dataDirectory() + " (port " + running.port() + ", " + note + ")",
                true,
                pool::close);
    }
}
