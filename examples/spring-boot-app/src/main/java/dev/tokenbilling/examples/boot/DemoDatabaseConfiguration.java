package dev.tokenbilling.examples.boot;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tokenbilling.embedded.EmbeddedDatabase;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * The application's {@link DataSource}, which the starter builds on: {@code BILLING_DATABASE_URL}
 * ({@code demo.database.url}; {@code jdbc:postgresql://...} or {@code postgresql://user:pass@host/db},
 * user and password also from {@code BILLING_DATABASE_USER} / {@code BILLING_DATABASE_PASSWORD}), else
 * the embedded PostgreSQL: durable under {@code demo.database.directory} (default
 * {@code ~/.billing/postgres}, shared with the CLI) or, with {@code demo.database.temporary=true}, a
 * throw-away one. A real host simply has {@code spring.datasource.*}.
 */
@Configuration(proxyBeanMethods = false)
class DemoDatabaseConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(DemoDatabaseConfiguration.class);

    /** Where the data lives, for the startup message. */
    record DemoDatabase(DataSource dataSource, String description, AutoCloseable resource) implements AutoCloseable {
        @Override
        public void close() {
            try {
                resource.close();
            } catch (Exception e) {
                throw new IllegalStateException("could not close " + description + ": " + e.getMessage(), e);
            }
        }
    }

    @Bean
    DemoDatabase demoDatabase(Environment environment) {
        String url = environment.getProperty("demo.database.url", "");
        if (!url.isBlank()) {
            HikariDataSource pool = new HikariDataSource(hikari(
                    url.trim(),
                    environment.getProperty("demo.database.user"),
                    environment.getProperty("demo.database.password")));
            return new DemoDatabase(pool, pool.getJdbcUrl(), pool);
        }
        boolean temporary = environment.getProperty("demo.database.temporary", Boolean.class, false);
        Path directory =
                environment.getProperty("demo.database.directory", Path.class, EmbeddedDatabase.DEFAULT_DIRECTORY);
        LOG.info("Starting the embedded PostgreSQL {}", temporary ? "(temporary)" : "in " + directory);
        EmbeddedDatabase db = temporary ? EmbeddedDatabase.startTemporary() : EmbeddedDatabase.start(directory);
        return new DemoDatabase(
                db.dataSource(),
                "embedded PostgreSQL " + (temporary ? "(temporary)" : "in " + directory) + ", " + db.jdbcUrl(),
                db);
    }

    @Bean
    DataSource dataSource(DemoDatabase database) {
        return database.dataSource();
    }

    private static HikariConfig hikari(String url, String user, String password) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("billing-demo");
        if (url.startsWith("jdbc:")) {
            config.setJdbcUrl(url);
        } else {
            URI uri = URI.create(url);
            config.setJdbcUrl("jdbc:postgresql://" + uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "")
                    + uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()));
            if (uri.getRawUserInfo() != null) {
                String[] userAndPassword = uri.getRawUserInfo().split(":", 2);
                config.setUsername(URLDecoder.decode(userAndPassword[0], StandardCharsets.UTF_8));
                if (userAndPassword.length == 2) {
                    config.setPassword(URLDecoder.decode(userAndPassword[1], StandardCharsets.UTF_8));
                }
            }
        }
        if (user != null && !user.isBlank()) {
            config.setUsername(user);
        }
        if (password != null && !password.isBlank()) {
            config.setPassword(password);
        }
        return config;
    }
}
