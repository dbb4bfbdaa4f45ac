package dev.tokenbilling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenbilling.error.BillingError;
import dev.tokenbilling.error.BillingException;
import dev.tokenbilling.error.InvalidRequestException;
import dev.tokenbilling.model.Grant;
import dev.tokenbilling.model.IdempotencyKey;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.support.TestDatabase;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

class SchemaTest {

    private final DataSource dataSource = TestDatabase.dataSource();

    @Test
    void shouldMigrateIntoConfiguredSchemaWithOwnHistoryTable() throws SQLException {
        String schema = TestDatabase.newSchema(SchemaTest.class);
        BillingSchema billingSchema = BillingSchema.of(dataSource, schema);
        assertThat(billingSchema.pending())
                .containsExactly(
                        "1 baseline",
                        "2 refund reversal",
                        "3 ledger write costs",
                        "4 subscription tiers",
                        "5 hold round trips",
                        "6 billing events",
                        "7 auto recharge",
                        "8 spend limits",
                        "9 citus ready functions",
                        "10 hold fast paths",
                        "11 batch debit reads keys on demand",
                        "12 holds within spend limits",
                        "13 lazy lot draws");

        assertThat(billingSchema.migrate()).isEqualTo(13);
        assertThat(billingSchema.migrate()).isZero();

        assertThat(billingSchema.pending()).isEmpty();
        assertThat(billingSchema.currentVersion()).contains("13");
        assertThat(tables(schema))
                .contains(
                        "billing_schema_history",
                        "token_package",
                        "token_purchase",
                        "token_balance",
                        "token_transaction",
                        "webhook_event",
                        "token_lot",
                        "token_reservation");
        assertThat(tables("public")).doesNotContain("billing_schema_history", "flyway_schema_history", "token_balance");
    }

    @Test
    void shouldRejectUnsafeSchemaName() {
        assertThatThrownBy(() -> BillingSchema.of(dataSource, "billing; drop table x"))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("schema");
        assertThatThrownBy(() -> TokenBilling.builder()
                        .dataSource(dataSource)
                        .schema("Billing")
                        .build())
                .isInstanceOfSatisfying(
                        BillingException.class,
                        e -> assertThat(e.code()).isEqualTo(BillingError.INVALID_CONFIGURATION));
    }

    @Test
    void shouldShipConsolidatedDdlEqualToMigrations() throws Exception {
        String migrated = TestDatabase.newSchema(SchemaTest.class);
        BillingSchema.of(dataSource, migrated).migrate();
        String consolidated = TestDatabase.newSchema(SchemaTest.class);
        String ddl = resource(BillingSchema.CONSOLIDATED_DDL)
                .replace("CREATE SCHEMA IF NOT EXISTS billing;", "CREATE SCHEMA IF NOT EXISTS " + consolidated + ";")
                .replace("SET search_path TO billing;", "SET search_path TO " + consolidated + ";");
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute(ddl);
            statement.execute("RESET search_path");
        }

        assertThat(structure(consolidated)).isEqualTo(structure(migrated)).isNotEmpty();
        TokenBilling billing = TokenBilling.builder()
                .dataSource(dataSource)
                .schema(consolidated)
                .migrate(false)
                .build();
        billing.service()
                .ledger()
                .grant(Grant.of(UserId.of("ddl-user"), 5, IdempotencyKey.of("g"), "works on hand-made schema"));
        assertThat(billing.service().ledger().balance(UserId.of("ddl-user")).balance())
                .isEqualTo(5);
    }

    @Test
    void shouldStoreInstantsExactlyWhateverTheSessionTimeZone() throws SQLException {
        // The build runs tests in a zone far from UTC; times must still round-trip exactly.
        assertThat(java.util.TimeZone.getDefault().getID()).isNotIn("UTC", "GMT", "Etc/UTC");
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement();
                ResultSet zone = statement.executeQuery("SHOW TimeZone")) {
            zone.next();
            assertThat(zone.getString(1)).isNotIn("UTC", "Etc/UTC", "GMT");
        }
        Instant at = Instant.parse("2026-03-29T01:30:00.123456Z");
        String schema = TestDatabase.newSchema(SchemaTest.class);
        TokenBilling billing = TokenBilling.builder()
                .dataSource(dataSource)
                .schema(schema)
                .clock(java.time.Clock.fixed(at, java.time.ZoneOffset.UTC))
                .build();
        billing.service().ledger().grant(Grant.of(UserId.of("tz"), 1, IdempotencyKey.of("g"), "tz"));
        assertThat(billing.service()
                        .ledger()
                        .history(UserId.of("tz"), dev.tokenbilling.model.PageRequest.first(1))
                        .items()
                        .get(0)
                        .createdAt())
                .isEqualTo(at);
    }

    private List<String> tables(String schema) throws SQLException {
        return query(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = '" + schema + "' ORDER BY 1",
                schema);
    }

    private List<String> structure(String schema) throws SQLException {
        List<String> all = new ArrayList<>();
        all.addAll(query(
                "SELECT table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' '"
                        + " || coalesce(column_default, '') || ' ' || coalesce(is_identity, '') || ' ' || coalesce(identity_generation, '')"
                        + " FROM information_schema.columns WHERE table_schema = '" + schema
                        + "' AND table_name <> 'billing_schema_history'"
                        + " ORDER BY table_name, ordinal_position",
                schema));
        all.addAll(query(
                "SELECT tablename || ' ' || indexdef FROM pg_indexes WHERE schemaname = '" + schema + "'"
                        + " AND tablename <> 'billing_schema_history' ORDER BY indexname",
                schema));
        all.addAll(query(
                "SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint"
                        + " WHERE connamespace = '" + schema
                        + "'::regnamespace AND conrelid::regclass::text NOT LIKE '%billing_schema_history%'"
                        + " ORDER BY conname",
                schema));
        all.addAll(query(
                "SELECT p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ') ' || md5(p.prosrc)"
                        + " FROM pg_proc p WHERE p.pronamespace = '" + schema + "'::regnamespace ORDER BY 1",
                schema));
        all.addAll(query(
                "SELECT event_object_table || ' ' || trigger_name || ' ' || action_timing || ' ' || event_manipulation"
                        + " FROM information_schema.triggers WHERE trigger_schema = '" + schema + "' ORDER BY 1",
                schema));
        return all;
    }

    private List<String> query(String sql, String schema) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement();
                ResultSet resultSet = statement.executeQuery(sql)) {
            while (resultSet.next()) {
                rows.add(resultSet.getString(1).replace(schema + ".", "<schema>."));
            }
        }
        return rows;
    }

    private static String resource(String path) throws IOException {
        try (InputStream in = SchemaTest.class.getClassLoader().getResourceAsStream(path)) {
            assertThat(in).as(path).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void shouldNameASchemaThatCannotBeMigratedWithACode() throws SQLException {
        String schema = TestDatabase.newSchema(SchemaTest.class);
        BillingSchema.of(dataSource, schema).migrate();
        // A database made by a build whose migration differs (e.g. a pre-release build): the checksum no longer
        // matches.
        try (var connection = dataSource.getConnection();
                var statement = connection.createStatement()) {
            statement.execute("UPDATE " + schema + ".billing_schema_history SET checksum = 42 WHERE version = '1'");
        }

        assertThatThrownBy(() -> BillingSchema.of(dataSource, schema).migrate())
                .isInstanceOfSatisfying(
                        BillingException.class, e -> assertThat(e.code()).isEqualTo(BillingError.SCHEMA_NOT_MIGRATED));
    }

    @Test
    void shouldKnowTheNewestMigrationAsLatestVersion() throws Exception {
        java.net.URL location = SchemaTest.class
                .getClassLoader()
                .getResource(BillingSchema.MIGRATIONS_LOCATION.substring("classpath:".length()));
        assertThat(location).isNotNull();
        java.util.regex.Pattern migration = java.util.regex.Pattern.compile("V(\\d+)__.*\\.sql");
        int newest;
        try (var files = java.nio.file.Files.list(java.nio.file.Path.of(location.toURI()))) {
            newest = files.map(file -> migration.matcher(file.getFileName().toString()))
                    .filter(java.util.regex.Matcher::matches)
                    .mapToInt(matcher -> Integer.parseInt(matcher.group(1)))
                    .max()
                    .orElseThrow();
        }
        assertThat(BillingSchema.LATEST_VERSION)
                .as("BillingSchema.LATEST_VERSION must be the newest migration's version")
                .isEqualTo(newest);
    }

    @Test
    void shouldTellACurrentSchemaWithoutFlyway() throws SQLException {
        String schema = TestDatabase.newSchema(SchemaTest.class);
        assertThat(BillingSchema.isCurrent(dataSource, schema))
                .as("no schema yet")
                .isFalse();

        BillingSchema.of(dataSource, schema).migrate();
        assertThat(BillingSchema.isCurrent(dataSource, schema)).isTrue();

        try (var connection = dataSource.getConnection();
                var statement = connection.createStatement()) {
            statement.execute("DELETE FROM " + schema + ".billing_schema_history WHERE version = '"
                    + BillingSchema.LATEST_VERSION + "'");
        }
        assertThat(BillingSchema.isCurrent(dataSource, schema))
                .as("a migration missing")
                .isFalse();
        assertThat(BillingSchema.of(dataSource, schema).pending()).containsExactly("13 lazy lot draws");
    }
}
