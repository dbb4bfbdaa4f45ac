package dev.tokenbilling.cli.support;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tokenbilling.embedded.EmbeddedDatabase;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * One real PostgreSQL per test JVM: the server named by {@code BILLING_TEST_DATABASE_URL}, or a
 * temporary embedded one (never the durable one under ~/.billing). Each test class takes its own schema.
 */
public final class TestDatabase {

    public static final String URL_VARIABLE = "BILLING_TEST_DATABASE_URL";
    private static final AtomicInteger SCHEMAS = new AtomicInteger();
    private static String jdbcUrl;
    private static DataSource dataSource;

    private TestDatabase() {
    }

    /** The JDBC URL the CLI is given ({@code --database-url} / {@code BILLING_DATABASE_URL}). */
    public static synchronized String jdbcUrl() {
        start();
        return jdbcUrl;
    }

    /** A pool on the same database, for test setup and assertions. */
    public static synchronized DataSource dataSource() {
        start();
        return dataSource;
    }

    private static void start() {
        if (dataSource != null) {
            return;
        }
        String url = System.getenv(URL_VARIABLE);
        if (url != null && !url.isBlank()) {
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(url);
            config.setMaximumPoolSize(6);
            jdbcUrl = url;
            dataSource = new HikariDataSource(config);
            return;
        }
        EmbeddedDatabase database = EmbeddedDatabase.startTemporary();
        Runtime.getRuntime().addShutdownHook(new Thread(database::close, "embedded-postgres-stop"));
        jdbcUrl = database.jdbcUrl();
        dataSource = database.dataSource();
    }

    /** A schema no other test class in this run uses. */
    public static String newSchema(Class<?> testClass) {
        String base = testClass.getSimpleName().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
        return "cli_" + base.substring(0, Math.min(base.length(), 36)) + "_" + ProcessHandle.current().pid() + "_" + SCHEMAS.incrementAndGet();
    }
}
