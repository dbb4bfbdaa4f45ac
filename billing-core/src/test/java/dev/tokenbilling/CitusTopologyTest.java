package dev.tokenbilling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenbilling.error.BillingError;
import dev.tokenbilling.error.BillingException;
import dev.tokenbilling.internal.postgres.CitusLayout;
import dev.tokenbilling.support.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * The Citus topology on a plain PostgreSQL server: refused with a clear error; and every table of the
 * schema has its place on a cluster (a migration that adds a table must say where it goes). The layout
 * itself runs in billing-integration-tests when BILLING_TEST_CITUS_URL names a Citus coordinator.
 */
class CitusTopologyTest {

    private final DataSource dataSource = TestDatabase.dataSource();

    @Test
    void shouldRefuseTheCitusTopologyOnAServerWithoutCitus() {
        String schema = TestDatabase.newSchema(CitusTopologyTest.class);

        assertThatThrownBy(() -> TokenBilling.builder()
                        .dataSource(dataSource)
                        .schema(schema)
                        .topology(DatabaseTopology.CITUS)
                        .build())
                .isInstanceOfSatisfying(
                        BillingException.class, e -> assertThat(e.code()).isEqualTo(BillingError.INVALID_CONFIGURATION))
                .hasMessageContaining("citus extension is not installed");
        assertThat(BillingSchema.isCurrent(dataSource, schema, DatabaseTopology.POSTGRESQL))
                .as("nothing migrated")
                .isFalse();
        BillingSchema.of(dataSource, schema).migrate();
        assertThat(BillingSchema.isCurrent(dataSource, schema, DatabaseTopology.CITUS))
                .as("migrated but not distributed")
                .isFalse();
    }

    @Test
    void shouldGiveEveryTableAPlaceOnACluster() throws SQLException {
        String schema = TestDatabase.newSchema(CitusTopologyTest.class);
        BillingSchema.of(dataSource, schema).migrate();

        List<String> placed = new ArrayList<>(CitusLayout.USER_TABLES);
        placed.addAll(CitusLayout.REFERENCE_TABLES);
        placed.add(CitusLayout.EVENTS_TABLE);
        placed.add(BillingSchema.HISTORY_TABLE); // stays on the coordinator
        assertThat(tables(schema)).containsExactlyInAnyOrderElementsOf(placed);
    }

    @Test
    void shouldReadTopologiesAsConfigurationWritesThem() {
        assertThat(DatabaseTopology.fromWireName("citus")).isEqualTo(DatabaseTopology.CITUS);
        assertThat(DatabaseTopology.fromWireName(" PostgreSQL ")).isEqualTo(DatabaseTopology.POSTGRESQL);
        assertThatThrownBy(() -> DatabaseTopology.fromWireName("cockroach"))
                .hasMessageContaining("use postgresql or citus");
    }

    private List<String> tables(String schema) throws SQLException {
        List<String> names = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(
                        "SELECT table_name FROM information_schema.tables WHERE table_schema = '" + schema + "'")) {
            while (rows.next()) {
                names.add(rows.getString(1));
            }
        }
        return names;
    }
}
