package dev.tokenbilling.support;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tokenbilling.DatabaseTopology;
import dev.tokenbilling.embedded.EmbeddedDatabase;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * One real PostgreSQL per test JVM: the server named by {@code BILLING_TEST_DATABASE_URL}, or a
 * temporary embedded one started on first use (never the durable one under ~/.billing). Each test
 * class takes a fresh schema from {@link #newSchema}. Shared with the other modules' tests through
 * billing-core's test-jar.
 *
 * <p>A module whose tests also run on Citus (billing-integration-tests sets the system property
 * {@value #CITUS_PROPERTY}) uses the Citus coordinator named by {@code BILLING_TEST_CITUS_URL} when it
 * is set, with {@link #topology()} {@code CITUS}.
 */
public final class TestDatabase {

    public static final String URL_VARIABLE = "BILLING_TEST_DATABASE_URL";
    public static final String CITUS_URL_VARIABLE = "BILLING_TEST_CITUS_URL";
    public static final String CITUS_PROPERTY = "billing.test.citus";
    /** Few shards per test schema: each test class makes its own, and placing shards costs time. */
    private static final int TEST_SHARD_COUNT = 4;

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

    /** The topology the tests of this JVM run on. */
    public static DatabaseTopology topology() {
        return citusUrl() == null ? DatabaseTopology.POSTGRESQL : DatabaseTopology.CITUS;
    }

    /** The Citus coordinator's URL when this module's tests run on Citus; else null. */
    public static String citusUrl() {
        String url = System.getenv(CITUS_URL_VARIABLE);
        return Boolean.getBoolean(CITUS_PROPERTY) && url != null && !url.isBlank() ? url : null;
    }

    private static void start() {
        if (dataSource != null) {
            return;
        }
        if (citusUrl() != null) {
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(citusUrl());
            config.setMaximumPoolSize(12);
            config.setConnectionInitSql("SET citus.shard_count = " + TEST_SHARD_COUNT);
            jdbcUrl = citusUrl();
            dataSource = new HikariDataSource(config);
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
