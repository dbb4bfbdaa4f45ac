package dev.tokenbilling.cli.support;

import dev.tokenbilling.TokenBilling;
import dev.tokenbilling.cli.BillingCli;
import dev.tokenbilling.cli.CliEnvironment;
import dev.tokenbilling.cli.DatabaseHandle;
import dev.tokenbilling.stripe.StripeApi;
import dev.tokenbilling.support.TestDatabase;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/**
 * Runs {@code billing} in-process as a user would, with captured output: picocli's {@code execute}
 * on a command line built with an injected environment (variables, default database, clock).
 */
public final class Cli {

    /** The fields of {@code balance --output json}, in order. */
    public static final String[] BALANCE_JSON_FIELDS = {
        "userId",
        "balance",
        "available",
        "reserved",
        "totalPurchased",
        "totalGranted",
        "totalUsed",
        "totalReversed",
        "totalAdjusted",
        "totalExpired",
        "updatedAt",
        "debt",
        "lots",
        "holds",
        "recent"
    };

    /** What one run printed and returned. */
    public record Result(int exitCode, String out, String err) {

        public List<String> lines() {
            return out.lines().toList();
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- out ---\n" + out + "--- err ---\n" + err;
        }
    }

    private final String schema;
    private final Map<String, String> variables = new HashMap<>();
    private DatabaseHandle.Launcher defaultDatabase = () -> {
        throw new AssertionError("the test did not expect the default (embedded) database to be started");
    };
    private Clock clock = Clock.systemUTC();
    private boolean terminal;

    private Cli(String schema) {
        this.schema = schema;
    }

    /** A CLI on a fresh schema of the test database, reached through BILLING_DATABASE_URL. */
    public static Cli forClass(Class<?> testClass) {
        Cli cli = new Cli(TestDatabase.newSchema(testClass));
        cli.variables.put("BILLING_DATABASE_URL", TestDatabase.jdbcUrl());
        return cli;
    }

    /** Runs {@code billing migrate} on this CLI's schema, failing the test if it does not succeed. */
    public Cli migrated() {
        runOk("migrate");
        return this;
    }

    /** Another CLI on the same schema with the same variables. */
    public Cli copy() {
        Cli copy = new Cli(schema);
        copy.variables.putAll(variables);
        copy.defaultDatabase = defaultDatabase;
        copy.clock = clock;
        copy.terminal = terminal;
        return copy;
    }

    public String schema() {
        return schema;
    }

    public Cli env(String name, String value) {
        if (value == null) {
            variables.remove(name);
        } else {
            variables.put(name, value);
        }
        return this;
    }

    /** Runs with no database URL: the injected default database (the shared test database, migrated automatically). */
    public Cli withDefaultDatabase() {
        variables.remove("BILLING_DATABASE_URL");
        defaultDatabase =
                () -> new DatabaseHandle(TestDatabase.dataSource(), "the test's embedded PostgreSQL", true, () -> {});
        return this;
    }

    public Cli withDefaultDatabase(DatabaseHandle.Launcher launcher) {
        variables.remove("BILLING_DATABASE_URL");
        defaultDatabase = launcher;
        return this;
    }

    /** The CLI's clock runs {@code ahead} of the real one: what was created now looks that old to it. */
    public Cli clockAhead(Duration ahead) {
        this.clock = Clock.offset(Clock.systemUTC(), ahead);
        return this;
    }

    /** The CLI's clock, e.g. a fixed one to make expiry deterministic. */
    public Cli clock(Clock clock) {
        this.clock = clock;
        return this;
    }

    /** Behave as if standard output were a terminal (colors, progress). */
    public Cli onTerminal() {
        this.terminal = true;
        return this;
    }

    public Cli stripe(String apiBase, String secretKey) {
        env("STRIPE_API_BASE", apiBase);
        env("STRIPE_SECRET_KEY", secretKey);
        return this;
    }

    /** Runs {@code billing --schema SCHEMA args...}. */
    public Result run(String... args) {
        List<String> all = new ArrayList<>(List.of("--schema", schema));
        all.addAll(List.of(args));
        return runRaw(all.toArray(String[]::new));
    }

    /** Runs a set-up step, {@code billing --schema SCHEMA args...}, failing the test with its output unless it exits with 0. */
    public Result runOk(String... args) {
        Result result = run(args);
        if (result.exitCode() != 0) {
            throw new AssertionError("set-up step 'billing " + String.join(" ", args) + "' failed:\n" + result);
        }
        return result;
    }

    /** Runs exactly these arguments. */
    public Result runRaw(String... args) {
        CommandLine commandLine =
                BillingCli.newCommandLine(new CliEnvironment(variables, defaultDatabase, terminal, clock), args);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exitCode = commandLine.execute(args);
        return new Result(exitCode, out.toString(), err.toString());
    }

    /** The library on this CLI's schema, for setting up purchases and events the CLI only reads. */
    public TokenBilling library(StripeApi stripe) {
        return library(stripe, Clock.systemUTC());
    }

    /** The library on this CLI's schema with a given clock (e.g. the CLI's fixed one). */
    public TokenBilling library(StripeApi stripe, Clock libraryClock) {
        TokenBilling.Builder builder = TokenBilling.builder()
                .dataSource(TestDatabase.dataSource())
                .schema(schema)
                .clock(libraryClock);
        if (stripe != null) {
            builder.stripe(stripe);
        }
        return builder.build();
    }
}
