package dev.tokenbilling.internal.postgres;

import dev.tokenbilling.error.BillingError;
import dev.tokenbilling.error.BillingException;
import dev.tokenbilling.error.StoreUnavailableException;
import java.sql.SQLException;
import java.util.Set;

/** Turns driver errors into the library's exceptions: transient ones become {@link StoreUnavailableException}. */
final class StoreErrors {

    private static final String UNIQUE_VIOLATION = "23505";
    private static final Set<String> TRANSIENT_STATES = Set.of(
            "40001", // serialization failure
            "40P01", // deadlock detected
            "55P03", // lock not available (lock_timeout)
            "57014", // query canceled (statement_timeout)
            "57P01", "57P02", "57P03", // admin shutdown, crash shutdown, cannot connect now
            "53300"); // too many connections
    private static final Set<String> SCHEMA_MISSING_STATES = Set.of(
            "3F000", // invalid schema name
            "42P01", // undefined table
            "42703", // undefined column
            "42883"); // undefined function

    private StoreErrors() {}

    static RuntimeException translate(RuntimeException e) {
        if (e instanceof StoreUnavailableException) {
            return e;
        }
        SQLException sql = sqlCause(e);
        if (e instanceof org.jdbi.v3.core.ConnectionException || (sql != null && isTransient(sql))) {
            String reason = sql != null && sql.getMessage() != null
                    ? sql.getMessage()
                    : e.getClass().getSimpleName();
            return new StoreUnavailableException("Database unavailable: " + reason, e);
        }
        if (sql != null && schemaMissing(sql)) {
            return schemaNotMigrated(sql, e);
        }
        return e;
    }

    /** True when the statement failed because the billing schema, a table, column or function of it, is missing. */
    static boolean schemaMissing(SQLException sql) {
        return SCHEMA_MISSING_STATES.contains(sql.getSQLState());
    }

    static BillingException schemaNotMigrated(SQLException sql, Throwable cause) {
        return new BillingException(
                BillingError.SCHEMA_NOT_MIGRATED,
                "The billing schema is missing or out of date (" + sql.getSQLState()
                        + "): apply the library's migrations",
                cause);
    }

    static boolean isTransient(SQLException sql) {
        String state = sql.getSQLState();
        return sql instanceof java.sql.SQLTransientException
                || sql instanceof java.sql.SQLRecoverableException
                || sql instanceof java.sql.SQLNonTransientConnectionException
                || (state != null && (state.startsWith("08") || TRANSIENT_STATES.contains(state)));
    }

    /**
     * True when {@code e} is a unique violation of the named index or constraint. On Citus a violation
     * raised on a worker reaches the client without the constraint field, naming the shard's index in
     * its message ({@code "token_transaction_idempotency_102117"}): that name, less its shard suffix,
     * counts too.
     */
    static boolean isUniqueViolation(Throwable e, String constraint) {
        // A JDBC batch reports the server's error as the "next exception" of a BatchUpdateException.
        for (SQLException sql = sqlCause(e); sql != null; sql = sql.getNextException()) {
            if (UNIQUE_VIOLATION.equals(sql.getSQLState())
                    && sql instanceof org.postgresql.util.PSQLException psql
                    && psql.getServerErrorMessage() != null
                    && names(violated(psql.getServerErrorMessage()), constraint)) {
                return true;
            }
        }
        return false;
    }

    /** The violated constraint: the error's constraint field, else the quoted name in its message. */
    private static String violated(org.postgresql.util.ServerErrorMessage error) {
        if (error.getConstraint() != null) {
            return error.getConstraint();
        }
        java.util.regex.Matcher quoted = QUOTED_CONSTRAINT.matcher(String.valueOf(error.getMessage()));
        return quoted.find() ? quoted.group(1) : null;
    }

    private static final java.util.regex.Pattern QUOTED_CONSTRAINT =
            java.util.regex.Pattern.compile("unique constraint \"([^\"]+)\"");

    /** {@code name} is the constraint, or one of its shards on Citus ({@code <constraint>_<shard id>}). */
    static boolean names(String name, String constraint) {
        if (name == null) {
            return false;
        }
        if (name.equals(constraint)) {
            return true;
        }
        return name.length() > constraint.length() + 1
                && name.startsWith(constraint)
                && name.charAt(constraint.length()) == '_'
                && name.substring(constraint.length() + 1).chars().allMatch(Character::isDigit);
    }

    static SQLException sqlCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql) {
                return sql;
            }
        }
        return null;
    }
}
