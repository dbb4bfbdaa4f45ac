package dev.tokenbilling.doctor;

import dev.tokenbilling.error.BillingError;
import dev.tokenbilling.error.BillingException;
import dev.tokenbilling.model.WebhookEventStatus;
import dev.tokenbilling.service.TokenBillingService;

/** The database answers and the schema is at the library's version. */
final class DatabaseCheck implements Doctor.Check {

    private static final String MIGRATE = "billing migrate";

    @Override
    public String name() {
        return Doctor.DATABASE;
    }

    @Override
    public CheckResult run(Examination exam) {
        if (exam.settings.service == null) {
            exam.databaseSkipped("no database given");
            return CheckResult.skipped(name(), "no database given");
        }
        try {
            String finding = "the database answers";
            if (exam.settings.schema != null) {
                SchemaStatus schema = exam.settings.schema.get();
                if (schema.version().isEmpty()) {
                    exam.databaseSkipped("the schema is not migrated");
                    return CheckResult.fail(
                            name(), "schema " + schema.schema() + " has none of the library's tables yet", MIGRATE);
                }
                if (!schema.pending().isEmpty()) {
                    exam.databaseSkipped("the schema is behind the library");
                    return CheckResult.fail(
                            name(),
                            "schema " + schema.schema() + " is at version "
                                    + schema.version().get() + "; "
                                    + schema.pending().size() + " migration"
                                    + (schema.pending().size() == 1 ? "" : "s") + " pending: "
                                    + String.join(", ", schema.pending()),
                            MIGRATE);
                }
                finding += "; schema " + schema.schema() + " at version "
                        + schema.version().get() + ", no migration pending";
            } else {
                finding += " (a store of the host's: its schema version is not checked)";
            }
            TokenBillingService service = exam.settings.service.get();
            service.operations().countWebhookEvents(WebhookEventStatus.FAILED); // the tables answer a query
            exam.databaseAnswered(service);
            return CheckResult.ok(name(), finding);
        } catch (BillingException e) {
            if (e.code() == BillingError.STORE_UNAVAILABLE) {
                exam.databaseSkipped("the database cannot be reached");
                return CheckResult.fail(
                        name(),
                        "cannot reach the database: " + rootCause(e),
                        "start PostgreSQL, or fix --database-url / BILLING_DATABASE_URL (the application's datasource URL)");
            }
            if (e.code() == BillingError.SCHEMA_NOT_MIGRATED) {
                exam.databaseSkipped("the schema is not migrated");
                return CheckResult.fail(name(), e.getMessage(), MIGRATE);
            }
            exam.databaseSkipped("the database check failed");
            return CheckResult.fail(name(), e.getMessage(), "billing --verbose doctor shows the cause");
        }
    }

    /** The driver's own words (connection to host:port refused, password rejected), on one line. */
    private static String rootCause(Throwable e) {
        String message = e.getMessage();
        for (Throwable t = e.getCause(); t != null && t != t.getCause(); t = t.getCause()) {
            if (t instanceof java.sql.SQLException
                    && t.getMessage() != null
                    && !t.getMessage().isBlank()) {
                message = t.getMessage();
            }
        }
        String line = String.valueOf(message).replaceAll("\\s+", " ").trim();
        return line.length() <= 200 ? line : line.substring(0, 200) + "…";
    }
}
