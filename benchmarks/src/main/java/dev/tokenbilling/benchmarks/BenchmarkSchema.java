package dev.tokenbilling.benchmarks;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import javax.sql.DataSource;

/** The fresh schema each benchmark run works in: named after the benchmark, the time and the process, dropped at the end. */
public final class BenchmarkSchema {

    private BenchmarkSchema() {}

    /** {@code bench_<benchmark>_<yyyyMMdd_HHmmss UTC>_<pid>}: runs never collide, and leftovers say where they came from. */
    public static String uniqueName(String benchmark) {
        return "bench_" + benchmark + "_"
                + LocalDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyyMMdd_HHmmss")) + "_"
                + ProcessHandle.current().pid();
    }

    /** A single number (a {@code count(*)}) from the schema: {@code {schema}} in the SQL names it. */
    public static long count(DataSource dataSource, String schema, String sql) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement();
                ResultSet row = statement.executeQuery(sql.replace("{schema}", schema))) {
            row.next();
            return row.getLong(1);
        }
    }

    /** Drops the schema; CASCADE goes around the ledger's append-only triggers, which only guard rows. */
    public static void drop(DataSource dataSource, String schema) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement()) {
            statement.execute("DROP SCHEMA " + schema + " CASCADE");
        }
    }
}
