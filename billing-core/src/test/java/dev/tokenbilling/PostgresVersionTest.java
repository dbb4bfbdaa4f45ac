package dev.tokenbilling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tokenbilling.support.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * The suite runs on the PostgreSQL it claims to: a run with {@code -Dpostgres.version=14} must not pass
 * on the default binaries because the selection silently did not apply.
 */
class PostgresVersionTest {

    /** The oldest PostgreSQL major the library supports (the oldest in upstream support). */
    private static final int OLDEST_SUPPORTED_MAJOR = 14;

    @Test
    void serverIsASupportedVersion() throws SQLException {
        assertThat(serverMajor()).isGreaterThanOrEqualTo(OLDEST_SUPPORTED_MAJOR);
    }

    @Test
    void embeddedServerIsTheSelectedMajor() throws SQLException {
        String selected = System.getProperty("billing.test.postgres.version");
        assumeTrue(selected != null, "run outside Maven: no PostgreSQL version selected");
        String url = System.getenv(TestDatabase.URL_VARIABLE);
        assumeTrue(url == null || url.isBlank(), "the server in " + TestDatabase.URL_VARIABLE + " is not selected");
        assertThat(serverMajor())
                .as("major of the embedded server for -Dpostgres.version=%s (the root pom selects 14 to 18)", selected)
                .isEqualTo(Integer.parseInt(selected));
    }

    private static int serverMajor() throws SQLException {
        try (Connection connection = TestDatabase.dataSource().getConnection();
                Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery("SELECT current_setting('server_version_num')::int / 10000")) {
            row.next();
            return row.getInt(1);
        }
    }
}
