package dev.tokenbilling.cli;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import dev.tokenbilling.BillingSchema;
import dev.tokenbilling.DatabaseTopology;
import dev.tokenbilling.TokenBilling;
import dev.tokenbilling.error.BillingException;
import dev.tokenbilling.error.StoreUnavailableException;
import dev.tokenbilling.stripe.StripeApi;
import dev.tokenbilling.stripe.StripeKeys;
import dev.tokenbilling.stripe.WebhookVerification;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import picocli.CommandLine.Model.CommandSpec;

/**
 * What every command shares: the global options, and the database, library and Stripe settings
 * built from them on first use only (so {@code --help}, {@code --version} and {@code completion}
 * never touch a database).
 */
public final class CliContext implements AutoCloseable {

    public static final String DATABASE_URL = "BILLING_DATABASE_URL";
    public static final String DATABASE_USER = "BILLING_DATABASE_USER";
    public static final String DATABASE_PASSWORD = "BILLING_DATABASE_PASSWORD";
    public static final String DATABASE_TOPOLOGY = "BILLING_DATABASE_TOPOLOGY";
    public static final String SECRET_KEY = "STRIPE_SECRET_KEY";
    public static final String WEBHOOK_SECRET = "STRIPE_WEBHOOK_SECRET";
    public static final String PUBLIC_KEY = "STRIPE_PUBLIC_KEY";
    public static final String VITE_PUBLISHABLE_KEY = "VITE_STRIPE_PUBLISHABLE_KEY";
    public static final String API_BASE = "STRIPE_API_BASE";
    public static final String NO_COLOR = "NO_COLOR";

    private static final String DEFAULT_STRIPE_API = "api.stripe.com";

    private final CliEnvironment environment;
    private final GlobalOptions options = new GlobalOptions();
    private final List<AutoCloseable> resources = new ArrayList<>();
    private DatabaseUrl databaseUrl;
    private DatabaseHandle database;
    private String databaseDescription;
    private TokenBilling billing;
    private TokenBilling billingWithStripe;
    private StripeApi stripe;
    private WebhookVerification webhooks;
    private Failures failures;
    private Output current;

    public CliContext(CliEnvironment environment) {
        this.environment = environment;
    }

    public CliEnvironment environment() {
        return environment;
    }

    public GlobalOptions options() {
        return options;
    }

    public Clock clock() {
        return environment.clock();
    }

    /** How failures become messages and exit codes; the one mapping of library error codes. */
    public Failures failures() {
        if (failures == null) {
            failures = new Failures(this);
        }
        return failures;
    }

    /** The renderer for a command: its out/err writers and the global output options. */
    public Output output(CommandSpec spec) {
        boolean color = environment.terminal()
                && !options.noColor()
                && environment.variable(NO_COLOR).isEmpty();
        current = new Output(
                spec.commandLine().getOut(),
                spec.commandLine().getErr(),
                options.output(),
                color,
                environment.terminal());
        return current;
    }

    // ---- database ----------------------------------------------------------------------------

    /** The configured database URL, if any: {@code --database-url} or {@code BILLING_DATABASE_URL}. */
    public Optional<DatabaseUrl> databaseUrl() {
        if (databaseUrl == null) {
            Optional<String> url = options.databaseUrl().or(() -> environment.variable(DATABASE_URL));
            if (url.isEmpty()) {
                return Optional.empty();
            }
            databaseUrl = DatabaseUrl.parse(
                    url.get(), environment.variable(DATABASE_USER), environment.variable(DATABASE_PASSWORD));
        }
        return Optional.of(databaseUrl);
    }

    /** Where the database is, for messages: {@code host:port} or the embedded database's description. */
    public String databaseLocation() {
        if (databaseDescription != null) {
            return databaseDescription;
        }
        try {
            return databaseUrl().map(DatabaseUrl::hostAndPort).orElse("the embedded PostgreSQL");
        } catch (CliException e) {
            return "the configured database";
        }
    }

    /**
     * Opens the database on first use; a database that cannot be reached fails with exit code 3. With
     * {@code --live} a database URL is required: live Stripe data must never be paired with the
     * embedded database (a sync from it would archive the live prices it does not know).
     */
    public DatabaseHandle database() {
        if (database == null) {
            Optional<DatabaseUrl> url = databaseUrl();
            if (url.isPresent()) {
                database = open(url.get());
            } else {
                if (options.live()) {
                    throw CliException.usage("--live needs a database URL: give --database-url or " + DATABASE_URL
                            + "; live Stripe data is never paired with the embedded database");
                }
                Progress starting = current == null ? null : new Progress(current);
                if (starting != null) {
                    starting.update("Starting the embedded PostgreSQL…");
                }
                try {
                    database = environment.defaultDatabase().start();
                } finally {
                    if (starting != null) {
                        starting.close();
                    }
                }
                databaseDescription = database.description();
                if (current != null) {
                    current.note(
                            "note: no --database-url or " + DATABASE_URL + " given; using " + database.description()
                                    + (database.migrateAutomatically() ? ", migrated automatically" : ""));
                }
            }
            resources.add(database.onClose());
        }
        return database;
    }

    private DatabaseHandle open(DatabaseUrl url) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url.jdbcUrl());
        url.user().ifPresent(config::setUsername);
        url.password().ifPresent(config::setPassword);
        config.setPoolName("billing-cli");
        config.setMaximumPoolSize(4);
        config.setMinimumIdle(1);
        config.setConnectionTimeout(Duration.ofSeconds(5).toMillis());
        config.addDataSourceProperty("connectTimeout", "5");
        config.addDataSourceProperty("ApplicationName", "billing-cli");
        try {
            HikariDataSource pool = new HikariDataSource(config);
            return new DatabaseHandle(pool, url.toString(), false, pool::close);
        } catch (HikariPool.PoolInitializationException e) {
            // The store cannot be used: reported like the library's own STORE_UNAVAILABLE.
            throw new StoreUnavailableException("Database unavailable: the connection pool could not start", e);
        }
    }

    public DataSource dataSource() {
        return database().dataSource();
    }

    public BillingSchema schema() {
        return BillingSchema.of(dataSource(), options.schema(), topology());
    }

    /** {@code --topology} or {@code BILLING_DATABASE_TOPOLOGY}; PostgreSQL when neither is given. */
    public DatabaseTopology topology() {
        Optional<String> value = options.topology().or(() -> environment.variable(DATABASE_TOPOLOGY));
        try {
            return value.map(DatabaseTopology::fromWireName).orElse(DatabaseTopology.POSTGRESQL);
        } catch (IllegalArgumentException e) {
            throw CliException.usage("--topology / " + DATABASE_TOPOLOGY + ": " + e.getMessage());
        }
    }

    /** The library without Stripe: everything but purchases, the Stripe sync and the reconciler. */
    public TokenBilling billing() {
        if (billing == null) {
            billing = builder().build();
        }
        return billing;
    }

    /**
     * The library with Stripe. Refuses without a key, with a key that is not a secret key, and with a
     * live key when {@code writes} unless {@code --live} was given.
     */
    public TokenBilling billingWithStripe(boolean writes) {
        StripeApi api = stripe(writes);
        if (billingWithStripe == null) {
            billingWithStripe = builder().stripe(api).webhooks(webhooks).build();
        }
        return billingWithStripe;
    }

    private TokenBilling.Builder builder() {
        DatabaseHandle handle = database();
        // A schema already at this version needs no Flyway (one query instead of loading and running it).
        DatabaseTopology topology = topology();
        boolean migrate = handle.migrateAutomatically()
                && !BillingSchema.isCurrent(handle.dataSource(), options.schema(), topology);
        return TokenBilling.builder()
                .dataSource(handle.dataSource())
                .schema(options.schema())
                .topology(topology)
                .clock(clock())
                .migrate(migrate);
    }

    // ---- Stripe ------------------------------------------------------------------------------

    /** The Stripe key from {@code STRIPE_SECRET_KEY}, if set. */
    public Optional<String> stripeKey() {
        return environment.variable(SECRET_KEY);
    }

    /**
     * The webhook secrets as {@code billing config} shows them: {@code STRIPE_WEBHOOK_SECRET} split at
     * commas. The settings the commands use are the library's own reading ({@link #stripe(boolean)}).
     */
    public List<String> webhookSecrets() {
        return environment.variable(WEBHOOK_SECRET).map(value -> List.of(value.split(","))).orElse(List.of()).stream()
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .toList();
    }

    /** The publishable key, for {@code billing config}: {@code STRIPE_PUBLIC_KEY} or {@code VITE_STRIPE_PUBLISHABLE_KEY}. */
    public Optional<String> publishableKey() {
        return environment.variable(PUBLIC_KEY).or(() -> environment.variable(VITE_PUBLISHABLE_KEY));
    }

    public Optional<String> stripeApiBase() {
        return options.stripeApiBase().or(() -> environment.variable(API_BASE));
    }

    /** Where Stripe requests go, for messages: the API base without any user info it may carry. */
    public String stripeLocation() {
        return stripeApiBase().map(DatabaseUrl::redact).orElse(DEFAULT_STRIPE_API);
    }

    /**
     * Validated Stripe settings; see {@link #billingWithStripe(boolean)} for what is refused. Key rules
     * are the library's ({@link StripeKeys}); settings it refuses fail with their {@code INVALID_CONFIGURATION} code.
     */
    public StripeApi stripe(boolean writes) {
        StripeApi api = stripeApi(writes);
        if (stripe == null) {
            webhooks = webhookVerification();
            stripe = api;
        }
        return stripe;
    }

    /**
     * The Stripe settings alone, without the webhook settings: what {@link #stripe(boolean)} refuses
     * about the key is refused here too. For commands that call Stripe but never verify a webhook.
     */
    public StripeApi stripeApi(boolean writes) {
        String key = stripeKey()
                .orElseThrow(
                        () -> CliException.usage(
                                SECRET_KEY + " is not set: export " + SECRET_KEY
                                        + "=sk_test_... (Stripe Dashboard > Developers > API keys), or point --stripe-api-base at a FakeStripe"));
        if (!StripeKeys.isSecretKey(key)) {
            throw CliException.usage(
                    SECRET_KEY + " (" + StripeKeys.mask(key) + ") is not a secret key: use the sk_test_... or"
                            + " sk_live_... key from Stripe Dashboard > Developers > API keys"
                            + (StripeKeys.isPublishableKey(key) ? " (pk_ is the publishable key)" : ""));
        }
        if (writes && StripeKeys.isLive(key) && !options.live()) {
            throw CliException.usage(SECRET_KEY + " is a live key (" + StripeKeys.mask(key)
                    + ") and this command changes live" + " Stripe data: add --live to confirm, or use a sk_test_ key");
        }
        return buildStripe(key);
    }

    /**
     * The library's own reading of {@code STRIPE_SECRET_KEY} and the publishable key; the CLI adds only
     * its short timeouts (a person is waiting) and the API base.
     */
    private StripeApi buildStripe(String key) {
        StripeApi.Builder builder = StripeApi.fromEnvironment(environment.variables())
                .secretKey(key)
                .connectTimeout(Duration.ofSeconds(5))
                .readTimeout(Duration.ofSeconds(30))
                .maxNetworkRetries(1);
        stripeApiBase().ifPresent(base -> builder.apiBase(apiBaseUri(base)));
        return builder.build();
    }

    /** The library's own reading of {@code STRIPE_WEBHOOK_SECRET}; refused settings throw {@code INVALID_CONFIGURATION}. */
    public WebhookVerification webhookVerification() {
        return WebhookVerification.fromEnvironment(environment.variables()).build();
    }

    /** What the library refuses in the Stripe variables, for {@code billing config}: empty when they fit or no key is set. */
    public Optional<String> stripeSettingsProblem() {
        Optional<String> key = stripeKey();
        if (key.isEmpty()) {
            return Optional.empty();
        }
        try {
            buildStripe(key.get());
            webhookVerification();
            return Optional.empty();
        } catch (BillingException | CliException e) {
            return Optional.of(e.getMessage());
        }
    }

    private static URI apiBaseUri(String base) {
        try {
            URI uri = new URI(base);
            if (uri.getScheme() == null
                    || uri.getHost() == null
                    || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
                throw new URISyntaxException(base, "not an http(s) URL");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw CliException.usage("--stripe-api-base '" + DatabaseUrl.redact(base)
                    + "' is not an http(s) URL, e.g. http://localhost:12111");
        }
    }

    @Override
    public void close() {
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                if (options.verbose()) {
                    e.printStackTrace();
                }
            }
        }
        resources.clear();
    }
}
