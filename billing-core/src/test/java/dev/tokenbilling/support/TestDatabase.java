package dev.tokenbilling.support;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tokenbilling.embedded.EmbeddedDatabase;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * One real PostgreSQL per test JVM: the server named by {@code BILLING_TEST_DATABASE_URL}, or a
 * temporary embedded one started on first use (never the durable one under ~/.billing). Each test
 * class takes a fresh schema from {@link #newSchema}. Shared with the other modules' tests through
 * billing-core's test-jar.
 */
public final class TestDatabase {

    public static final String URL_VARIABLE = "BILLING_TEST_DATABASE_URL";
    private static final AtomicInteger SCHEMAS = new AtomicInteger();
    private static DataSource dataSource;
    private static String jdbcUrl;

    private TestDatabase() {}

    /** A connection pool on the test database, which closing a Spring context cannot close. */
    public static synchronized DataSource dataSource() {
        start();
        return new SharedDataSource(dataSource);
    }

    /** The test database's JDBC URL, for code under test that connects by itself (the CLI). */
    public static synchronized String jdbcUrl() {
        start();
        return jdbcUrl;
    }

    private static void start() {
        if (dataSource != null) {
            return;
        }
        String url = System.getenv(URL_VARIABLE);
        if (url != null && !url.isBlank()) {
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(url);
            config.setMaximumPoolSize(12);
            jdbcUrl = url;
            dataSource = new HikariDataSource(config);
            return;
        }
        EmbeddedDatabase database = EmbeddedDatabase.startTemporary();
        Runtime.getRuntime().addShutdownHook(new Thread(database::close, "embedded-postgres-stop"));
        jdbcUrl = database.jdbcUrl();
        dataSource = database.dataSource();
    }

    /** A schema name no other test class in this run uses. */
    public static String newSchema(Class<?> testClass) {
        String base = testClass.getSimpleName().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
        return "t_" + base.substring(0, Math.min(base.length(), 40)) + "_"
                + ProcessHandle.current().pid() + "_" + SCHEMAS.incrementAndGet();
    }
}
