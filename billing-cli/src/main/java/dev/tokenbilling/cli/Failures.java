package dev.tokenbilling.cli;

import dev.tokenbilling.error.BillingError;
import dev.tokenbilling.error.BillingException;
import dev.tokenbilling.error.PaymentProviderException;
import dev.tokenbilling.stripe.StripeKeys;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * Turns every failure into one line naming the cause and the fix, and a documented exit code (see
 * {@link ExitCodes}). Library errors are mapped by their {@link BillingError} code in one switch
 * ({@link #failure}); never by class or message text. Secrets never reach the output: known secret
 * values and anything shaped like a Stripe key are masked ({@link #redact}). Stack traces only with
 * {@code --verbose}.
 */
public final class Failures
        implements CommandLine.IExecutionExceptionHandler,
                CommandLine.IExitCodeExceptionMapper,
                CommandLine.IParameterExceptionHandler {

    /**
     * A failure as reported: exit code, message, and the library's error code when the failure is one of
     * its errors (shown as {@code error[insufficient_tokens]: ...}, for scripts).
     */
    public record Failure(int exitCode, String message, Optional<BillingError> code) {

        public Failure(int exitCode, String message) {
            this(exitCode, message, Optional.empty());
        }

        /** The line printed on standard error, without color: {@code error[code]: message} or {@code error: message}. */
        public String line() {
            return prefix() + message;
        }

        String prefix() {
            return "error" + code.map(c -> "[" + c.wireName() + "]").orElse("") + ": ";
        }
    }

    /** SQL states of a schema without the billing tables: undefined schema, table, column or function. */
    private static final Set<String> SCHEMA_MISSING_STATES = Set.of("3F000", "42P01", "42703", "42883");
    /** The words of a message that could be a key: Stripe's keys and secrets are letters, digits and underscores. */
    private static final Pattern WORD = Pattern.compile("[A-Za-z0-9_]+");
    /** Shorter values are not searched for: they would match ordinary words. */
    private static final int MIN_SECRET_LENGTH = 6;
    /** Shorter words are not taken for keys: a real key is far longer than its prefix ({@code sk_test_}). */
    private static final int MIN_KEY_LENGTH = 16;

    private final CliContext context;

    public Failures(CliContext context) {
        this.context = context;
    }

    @Override
    public int getExitCode(Throwable exception) {
        return describe(exception).exitCode();
    }

    @Override
    public int handleExecutionException(
            Exception exception, CommandLine commandLine, CommandLine.ParseResult parseResult) {
        Failure failure = describe(exception);
        PrintWriter err = commandLine.getErr();
        err.println(colored(failure.prefix()) + failure.message());
        if (context.options().verbose()) {
            printStackTrace(exception, err);
        }
        err.flush();
        return failure.exitCode();
    }

    @Override
    public int handleParseException(CommandLine.ParameterException exception, String[] args) {
        CommandLine commandLine = exception.getCommandLine();
        PrintWriter err = commandLine.getErr();
        err.println(colored("error: ") + redact(exception.getMessage()));
        StringWriter suggestions = new StringWriter();
        CommandLine.UnmatchedArgumentException.printSuggestions(exception, new PrintWriter(suggestions, true));
        err.print(redact(suggestions.toString()));
        err.println("Try '" + commandLine.getCommandSpec().qualifiedName() + " --help' for usage.");
        if (context.options().verbose()) {
            printStackTrace(exception, err);
        }
        err.flush();
        return ExitCodes.USAGE;
    }

    private void printStackTrace(Throwable exception, PrintWriter err) {
        StringWriter trace = new StringWriter();
        exception.printStackTrace(new PrintWriter(trace, true));
        err.print(redact(trace.toString()));
    }

    private String colored(String text) {
        boolean color = context.environment().terminal()
                && !context.options().noColor()
                && context.environment().variable(CliContext.NO_COLOR).isEmpty();
        return color ? "\u001B[31;1m" + text + "\u001B[0m" : text;
    }

    /** The exit code and message for any exception, secrets masked. */
    public Failure describe(Throwable exception) {
        Failure failure = classify(exception);
        return new Failure(failure.exitCode(), redact(failure.message()), failure.code());
    }

    private Failure classify(Throwable exception) {
        if (exception instanceof CommandLine.ExecutionException && exception.getCause() != null) {
            return classify(exception.getCause());
        }
        if (exception instanceof CliException cli) {
            return new Failure(cli.exitCode(), cli.getMessage());
        }
        if (exception instanceof BillingException billing) {
            Optional<PaymentProviderException.Reason> reason = billing instanceof PaymentProviderException provider
                    ? Optional.of(provider.reason())
                    : Optional.empty();
            return map(billing.code(), reason, billing.getMessage(), billing);
        }
        // Not the library's: a driver or pool error that escaped it is classified by its SQL state.
        SQLException sql = sqlCause(exception);
        if (sql != null && sql.getSQLState() != null && SCHEMA_MISSING_STATES.contains(sql.getSQLState())) {
            return map(BillingError.SCHEMA_NOT_MIGRATED, Optional.empty(), sql.getMessage(), exception);
        }
        if (sql != null && sql.getSQLState() != null && isConnectionState(sql.getSQLState())) {
            return map(BillingError.STORE_UNAVAILABLE, Optional.empty(), sql.getMessage(), exception);
        }
        if (exception instanceof org.flywaydb.core.api.FlywayException flyway) {
            return new Failure(
                    ExitCodes.FAILED,
                    "the schema migrations of '" + context.options().schema() + "' at " + context.databaseLocation()
                            + " failed: " + flywayReason(flyway.getMessage()) + " (run with --verbose for details)");
        }
        return new Failure(
                ExitCodes.FAILED,
                "unexpected " + exception.getClass().getSimpleName() + ": " + oneLine(exception.getMessage())
                        + (context.options().verbose() ? "" : " (run again with --verbose for details)"));
    }

    /**
     * The one mapping of library error codes to exit codes (and messages): every library error the CLI
     * reports, thrown or returned as data (a reconciler check that failed), goes through here.
     *
     * @param reason the provider's reason, for {@code PAYMENT_PROVIDER}
     * @param cause  the exception, when there is one: its SQL state or network error names the problem more exactly
     */
    public Failure failure(
            BillingError code, Optional<PaymentProviderException.Reason> reason, String message, Throwable cause) {
        Failure failure = map(code, reason, message, cause);
        return new Failure(failure.exitCode(), redact(failure.message()), failure.code());
    }

    private Failure map(
            BillingError code, Optional<PaymentProviderException.Reason> reason, String message, Throwable cause) {
        Failure failure = switch (code) {
            case INVALID_REQUEST -> new Failure(ExitCodes.USAGE, "invalid " + oneLine(message));
            case INVALID_CONFIGURATION ->
                new Failure(
                        ExitCodes.USAGE,
                        "the configuration is invalid: " + oneLine(message)
                                + " (check the options and the BILLING_* and STRIPE_* variables; 'billing config' shows them)");
            case PAYMENTS_NOT_CONFIGURED ->
                new Failure(
                        ExitCodes.USAGE,
                        CliContext.SECRET_KEY + " is not set: export " + CliContext.SECRET_KEY
                                + "=sk_test_... (Stripe Dashboard > Developers > API keys)");
            case STORE_UNAVAILABLE -> new Failure(ExitCodes.UNREACHABLE, databaseProblem(cause));
            case PAYMENT_PROVIDER ->
                stripeFailure(reason.orElse(PaymentProviderException.Reason.PROVIDER_ERROR), message, cause);
            case SCHEMA_NOT_MIGRATED ->
                new Failure(
                        ExitCodes.FAILED,
                        "the billing tables are missing in schema '"
                                + context.options().schema() + "' of the database at " + context.databaseLocation()
                                + ": run 'billing migrate' first");
            case UNKNOWN_PACKAGE,
                    PACKAGE_INACTIVE,
                    PACKAGE_NOT_SYNCED,
                    UNKNOWN_PURCHASE,
                    TOO_MANY_OPEN_PURCHASES,
                    UNKNOWN_RESERVATION,
                    RESERVATION_NOT_ACTIVE,
                    INSUFFICIENT_TOKENS,
                    IDEMPOTENCY_CONFLICT,
                    UNKNOWN_TIER,
                    TIER_NOT_AVAILABLE,
                    ALREADY_SUBSCRIBED,
                    NO_SUBSCRIPTION,
                    SPEND_LIMIT_REACHED -> new Failure(ExitCodes.FAILED, oneLine(message));
        };
        return new Failure(failure.exitCode(), failure.message(), Optional.of(code));
    }

    /** Stripe's failures by reason: unreachable or overloaded is worth a retry (exit 3); the rest needs a fix first (exit 1). */
    private Failure stripeFailure(PaymentProviderException.Reason reason, String message, Throwable cause) {
        return switch (reason) {
            case UNREACHABLE ->
                new Failure(
                        ExitCodes.UNREACHABLE,
                        "cannot reach Stripe at " + context.stripeLocation()
                                + (cause == null ? "" : " (" + rootCauseSummary(cause) + ")")
                                + ": check the network, or --stripe-api-base / "
                                + CliContext.API_BASE);
            case RATE_LIMITED, PROVIDER_ERROR ->
                new Failure(
                        ExitCodes.UNREACHABLE,
                        oneLine(message) + " (Stripe at " + context.stripeLocation() + "); retry later");
            case AUTHENTICATION ->
                new Failure(
                        ExitCodes.FAILED,
                        "Stripe rejected the API key "
                                + StripeKeys.mask(context.stripeKey().orElse("")) + ": set " + CliContext.SECRET_KEY
                                + " to a valid secret key (Stripe Dashboard > Developers > API keys)");
            case PERMISSION, IDEMPOTENCY, CARD_DECLINED, INVALID_REQUEST ->
                new Failure(ExitCodes.FAILED, oneLine(message));
        };
    }

    /** Why the database cannot be used, for {@code STORE_UNAVAILABLE}: unreachable, refused login, or missing database. */
    private String databaseProblem(Throwable e) {
        String location = context.databaseLocation();
        SQLException sql = e == null ? null : sqlCause(e);
        String state = sql == null || sql.getSQLState() == null ? "" : sql.getSQLState();
        if (state.equals("28P01") || state.equals("28000")) {
            return "the database at " + location + " refused the login for user '" + databaseUser()
                    + "': check the user" + " and password in the URL or " + CliContext.DATABASE_USER + " / "
                    + CliContext.DATABASE_PASSWORD;
        }
        if (state.equals("3D000")) {
            return "the database at " + location + " does not exist (" + firstSentence(sql.getMessage())
                    + "): create it, or fix --database-url / " + CliContext.DATABASE_URL;
        }
        return "cannot reach the database at " + location + (e == null ? "" : " (" + rootCauseSummary(e) + ")")
                + ": start PostgreSQL" + " there, or fix --database-url / " + CliContext.DATABASE_URL;
    }

    private String databaseUser() {
        try {
            return context.databaseUrl().flatMap(DatabaseUrl::user).orElse("(none)");
        } catch (CliException e) {
            return "(none)";
        }
    }

    /**
     * {@code text} with every secret the CLI knows (the Stripe key, the webhook secrets, the database
     * password) masked, and any other word that {@link StripeKeys} takes for a secret key or webhook
     * secret (one typed on the command line, say).
     */
    public String redact(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String result = text;
        for (String secret : secrets()) {
            result = result.replace(
                    secret,
                    StripeKeys.isSecretKey(secret) || StripeKeys.isWebhookSecret(secret)
                            ? StripeKeys.mask(secret)
                            : "***");
        }
        return WORD.matcher(result)
                .replaceAll(match -> Matcher.quoteReplacement(
                        isKey(match.group()) ? StripeKeys.mask(match.group()) : match.group()));
    }

    private static boolean isKey(String word) {
        return word.length() >= MIN_KEY_LENGTH && (StripeKeys.isSecretKey(word) || StripeKeys.isWebhookSecret(word));
    }

    /** The secret values in effect, longest first (so that a secret containing another is replaced whole). */
    private List<String> secrets() {
        List<String> secrets = new ArrayList<>();
        context.stripeKey().ifPresent(secrets::add);
        secrets.addAll(context.webhookSecrets());
        context.environment().variable(CliContext.DATABASE_PASSWORD).ifPresent(secrets::add);
        try {
            context.databaseUrl().flatMap(DatabaseUrl::password).ifPresent(secrets::add);
        } catch (CliException e) {
            // a malformed URL: its message shows it redacted already
        }
        return secrets.stream()
                .filter(secret -> secret.length() >= MIN_SECRET_LENGTH)
                .distinct()
                .sorted(Comparator.comparingInt(String::length).reversed())
                .toList();
    }

    private static boolean isConnectionState(String state) {
        return state.startsWith("08") || state.startsWith("28") || state.equals("3D000");
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
        return message.lines()
                .map(String::trim)
                .filter(line -> !line.isEmpty()
                        && !line.startsWith("Validate failed")
                        && !line.startsWith("->")
                        && !line.startsWith("Need more"))
                .findFirst()
                .orElse(oneLine(message));
    }

    private static String oneLine(String message) {
        return message == null
                ? ""
                : message.lines()
                        .map(String::trim)
                        .filter(line -> !line.isEmpty())
                        .findFirst()
                        .orElse("");
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
