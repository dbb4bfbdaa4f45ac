package dev.tokenbilling.cli;

import dev.tokenbilling.error.BillingException;
import dev.tokenbilling.error.InvalidRequestException;
import dev.tokenbilling.error.PaymentProviderException;
import dev.tokenbilling.error.StoreUnavailableException;
import dev.tokenbilling.stripe.StripeSettings;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import picocli.CommandLine;

/**
 * Turns every failure into one line naming the cause and the fix, and a documented exit code (see
 * {@link ExitCodes}). Stack traces only with {@code --verbose}.
 */
public final class Failures implements CommandLine.IExecutionExceptionHandler, CommandLine.IExitCodeExceptionMapper,
        CommandLine.IParameterExceptionHandler {

    /** A failure as reported: exit code and message. */
    public record Failure(int exitCode, String message) {
    }

    private final CliContext context;

    public Failures(CliContext context) {
        this.context = context;
    }

    @Override
    public int getExitCode(Throwable exception) {
        return describe(exception).exitCode();
    }

    @Override
    public int handleExecutionException(Exception exception, CommandLine commandLine, CommandLine.ParseResult parseResult) {
        Failure failure = describe(exception);
        PrintWriter err = commandLine.getErr();
        err.println(colored(commandLine, "error: ") + failure.message());
        if (context.options().verbose()) {
            exception.printStackTrace(err);
        }
        err.flush();
        return failure.exitCode();
    }

    @Override
    public int handleParseException(CommandLine.ParameterException exception, String[] args) {
        CommandLine commandLine = exception.getCommandLine();
        PrintWriter err = commandLine.getErr();
        err.println(colored(commandLine, "error: ") + exception.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(exception, err);
        err.println("Try '" + commandLine.getCommandSpec().qualifiedName() + " --help' for usage.");
        if (context.options().verbose()) {
            exception.printStackTrace(err);
        }
        err.flush();
        return ExitCodes.USAGE;
    }

    private String colored(CommandLine commandLine, String text) {
        boolean color = context.environment().terminal() && !context.options().noColor()
                && context.environment().variable(CliContext.NO_COLOR).isEmpty();
        return color ? "\u001B[31;1m" + text + "\u001B[0m" : text;
    }

    /** The exit code and message for any exception. */
    public Failure describe(Throwable exception) {
        if (exception instanceof CommandLine.ExecutionException && exception.getCause() != null) {
            return describe(exception.getCause());
        }
        if (exception instanceof CliException cli) {
            return new Failure(cli.exitCode(), cli.getMessage());
        }
        SQLException sql = sqlCause(exception);
        if (sql != null && sql.getSQLState() != null && (sql.getSQLState().equals("42P01") || sql.getSQLState().equals("3F000"))) {
            return new Failure(ExitCodes.FAILED, "the billing tables are missing in schema '" + context.options().schema() + "' of the"
                    + " database at " + context.databaseLocation() + ": run 'billing migrate' first");
        }
        if (exception instanceof StoreUnavailableException || isConnectionFailure(sql)) {
            CliException failure = databaseFailure(exception, context.databaseLocation(),
                    userOrNone(), context.options().schema());
            return new Failure(failure.exitCode(), failure.getMessage());
        }
        if (exception instanceof PaymentProviderException stripe) {
            return stripeFailure(stripe);
        }
        if (exception instanceof InvalidRequestException invalid) {
            return new Failure(ExitCodes.USAGE, "invalid " + invalid.getMessage());
        }
        if (exception instanceof BillingException billing) {
            return new Failure(ExitCodes.FAILED, oneLine(billing.getMessage()));
        }
        if (exception instanceof org.flywaydb.core.api.FlywayException flyway) {
            return new Failure(ExitCodes.FAILED, "the schema migrations of '" + context.options().schema() + "' at " + context.databaseLocation()
                    + " failed: " + flywayReason(flyway.getMessage())
                    + " (run with --verbose for details)");
        }
        return new Failure(ExitCodes.FAILED, "unexpected " + exception.getClass().getSimpleName() + ": " + oneLine(exception.getMessage())
                + (context.options().verbose() ? "" : " (run again with --verbose for details)"));
    }

    private String userOrNone() {
        try {
            return context.databaseUrl().flatMap(DatabaseUrl::user).orElse("(none)");
        } catch (CliException e) {
            return "(none)";
        }
    }

    private Failure stripeFailure(PaymentProviderException e) {
        String code = e.code() == null ? "" : e.code();
        if (code.equals("authentication")) {
            return new Failure(ExitCodes.FAILED, "Stripe rejected the API key " + StripeSettings.mask(context.stripeKey().orElse(""))
                    + ": set " + CliContext.SECRET_KEY + " to a valid secret key (Stripe Dashboard > Developers > API keys)");
        }
        if (code.equals("unreachable")) {
            return new Failure(ExitCodes.UNREACHABLE, "cannot reach Stripe at " + context.stripeLocation() + " ("
                    + rootCauseSummary(e) + "): check the network, or --stripe-api-base / " + CliContext.API_BASE);
        }
        if (e.isRetryable()) {
            return new Failure(ExitCodes.UNREACHABLE, e.getMessage() + " (Stripe at " + context.stripeLocation() + "); retry later");
        }
        return new Failure(ExitCodes.FAILED, e.getMessage());
    }

    /** The message for a database that cannot be used: unreachable, refused login, or missing database. */
    public static CliException databaseFailure(Throwable e, String location, String user, String schema) {
        SQLException sql = sqlCause(e);
        String state = sql == null || sql.getSQLState() == null ? "" : sql.getSQLState();
        if (state.equals("28P01") || state.equals("28000")) {
            return CliException.unreachable("the database at " + location + " refused the login for user '" + user + "': check the user"
                    + " and password in the URL or " + CliContext.DATABASE_USER + " / " + CliContext.DATABASE_PASSWORD, e);
        }
        if (state.equals("3D000")) {
            return CliException.unreachable("the database at " + location + " does not exist (" + firstSentence(sql.getMessage())
                    + "): create it, or fix --database-url / " + CliContext.DATABASE_URL, e);
        }
        return CliException.unreachable("cannot reach the database at " + location + " (" + rootCauseSummary(e) + "): start PostgreSQL"
                + " there, or fix --database-url / " + CliContext.DATABASE_URL, e);
    }

    private static boolean isConnectionFailure(SQLException sql) {
        return sql != null && sql.getSQLState() != null && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("28")
                || sql.getSQLState().equals("3D000"));
    }

    static SQLException sqlCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql) {
                return sql;
            }
        }
        return null;
    }

    static String rootCauseSummary(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
            if (root instanceof ConnectException) {
                return "connection refused";
            }
            if (root instanceof UnknownHostException) {
                return "unknown host " + root.getMessage();
            }
            if (root instanceof SocketTimeoutException) {
                return "timed out";
            }
            if (root instanceof NoRouteToHostException) {
                return "no route to host";
            }
        }
        return firstSentence(root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage());
    }

    private static String flywayReason(String message) {
        if (message == null) {
            return "unknown reason";
        }
        return message.lines().map(String::trim).filter(line -> !line.isEmpty() && !line.startsWith("Validate failed")
                && !line.startsWith("->") && !line.startsWith("Need more")).findFirst().orElse(oneLine(message));
    }

    private static String oneLine(String message) {
        return message == null ? "" : message.lines().map(String::trim).filter(line -> !line.isEmpty()).findFirst().orElse("");
    }

    private static String firstSentence(String message) {
        if (message == null) {
            return "";
        }
        String line = message.lines().findFirst().orElse("").trim();
        int stop = line.indexOf(". ");
        return stop > 0 ? line.substring(0, stop) : line.endsWith(".") ? line.substring(0, line.length() - 1) : line;
    }
}
