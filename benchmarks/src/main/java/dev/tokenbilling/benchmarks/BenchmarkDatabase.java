package dev.tokenbilling.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tokenbilling.embedded.EmbeddedDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The database a benchmark runs on: a throw-away embedded PostgreSQL, or the one given by
 * {@code --database-url}. Either way the benchmark gets its own fixed-size HikariCP pool with one
 * connection per worker thread plus two spare, so no worker ever waits for a connection.
 */
public final class BenchmarkDatabase implements AutoCloseable {

    public static final String USER_VARIABLE = "BILLING_DATABASE_USER";
    public static final String PASSWORD_VARIABLE = "BILLING_DATABASE_PASSWORD";

    private final Optional<EmbeddedDatabase> embedded;
    private final HikariDataSource pool;
    private final String description;

    private BenchmarkDatabase(Optional<EmbeddedDatabase> embedded, HikariDataSource pool, String description) {
        this.embedded = embedded;
        this.pool = pool;
        this.description = description;
    }

    /** Opens the database the options point at; {@code threads} sizes the pool. */
    public static BenchmarkDatabase open(Optional<String> databaseUrl, int threads) {
        return open(databaseUrl, threads, false);
    }

    /**
     * Like {@link #open(Optional, int)}; the embedded server is durable (fsync and synchronous commit
     * on, as users run PostgreSQL) unless {@code fsyncOff}, which trades durability for speed.
     */
    public static BenchmarkDatabase open(Optional<String> databaseUrl, int threads, boolean fsyncOff) {
        if (databaseUrl.isEmpty()) {
            return embedded(threads, fsyncOff);
        }
        DatabaseUrl url = DatabaseUrl.parse(databaseUrl.get());
        HikariConfig config = poolConfig(url.jdbcUrl(), threads);
        url.user().or(() -> env(USER_VARIABLE)).ifPresent(config::setUsername);
        url.password().or(() -> env(PASSWORD_VARIABLE)).ifPresent(config::setPassword);
        HikariDataSource pool = new HikariDataSource(config);
        try {
            return new BenchmarkDatabase(Optional.empty(), pool, url.display() + " (" + serverVersion(pool) + ")");
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    private static BenchmarkDatabase embedded(int threads, boolean fsyncOff) {
        EmbeddedDatabase database =
                fsyncOff ? EmbeddedDatabase.startTemporary() : EmbeddedDatabase.startDurableTemporary();
        try {
            HikariConfig config = poolConfig(database.jdbcUrl(), threads);
            config.setUsername("postgres");
            HikariDataSource pool = new HikariDataSource(config);
            try {
                return new BenchmarkDatabase(
                        Optional.of(database),
                        pool,
                        "embedded " + serverVersion(pool)
                                + (fsyncOff ? ", fsync off" : ", durable: fsync and synchronous_commit on"));
            } catch (RuntimeException e) {
                pool.close();
                throw e;
            }
        } catch (RuntimeException e) {
            database.close();
            throw e;
        }
    }

    private static HikariConfig poolConfig(String jdbcUrl, int threads) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setMaximumPoolSize(threads + 2);
        config.setMinimumIdle(threads + 2);
        config.setPoolName("benchmarks");
        return config;
    }

    private static Optional<String> env(String name) {
        return Optional.ofNullable(System.getenv(name)).filter(value -> !value.isBlank());
    }

    /** The server's product and version, e.g. "PostgreSQL 17.6": every report states what it ran on. */
    public static String serverVersion(DataSource dataSource) {
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("SELECT version()")) {
            row.next();
            String version = row.getString(1);
            // "PostgreSQL 17.6 on x86_64-pc-linux-gnu, compiled by ..." -> "PostgreSQL 17.6"
            int on = version.indexOf(" on ");
            return on > 0 ? version.substring(0, on) : version;
        } catch (SQLException e) {
            throw new IllegalStateException("Could not connect to the database: " + e.getMessage(), e);
        }
    }

    public DataSource dataSource() {
        return pool;
    }

    /** Where the database is and its version, without credentials. */
    public String description() {
        return description;
    }

    public boolean isEmbedded() {
        return embedded.isPresent();
    }

    @Override
    public void close() {
        pool.close();
        embedded.ifPresent(EmbeddedDatabase::close);
    }
}
