package dev.tokenbilling.boot.support;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tokenbilling.embedded.EmbeddedDatabase;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * One real PostgreSQL per test JVM: the server named by {@code BILLING_TEST_DATABASE_URL}, or an
 * embedded one started on first use. Each test class takes a fresh {@code billing.schema} from
 * {@link #newSchema}.
 */
public final class TestDatabase {

    public static final String URL_VARIABLE = "BILLING_TEST_DATABASE_URL";
    private static final AtomicInteger SCHEMAS = new AtomicInteger();
    private static String jdbcUrl;
    private static DataSource dataSource;

    private TestDatabase() {
    }

    /** The JDBC URL (with credentials) to give {@code spring.datasource.url}. */
    public static synchronized String jdbcUrl() {
        start();
        return jdbcUrl;
    }

    /** A shared pool wrapped so that closing an application context never closes it. */
    public static synchronized DataSource dataSource() {
        start();
        return new DelegatingDataSource(dataSource);
    }

    private static void start() {
        if (dataSource != null) {
            return;
        }
        String url = System.getenv(URL_VARIABLE);
        if (url != null && !url.isBlank()) {
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(url);
            config.setMaximumPoolSize(8);
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
        return "s_" + base.substring(0, Math.min(base.length(), 40)) + "_" + ProcessHandle.current().pid() + "_" + SCHEMAS.incrementAndGet();
    }
}
