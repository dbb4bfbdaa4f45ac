package dev.tokenbilling.benchmarks.webhooks;

import dev.tokenbilling.TokenBilling;
import dev.tokenbilling.benchmarks.BenchmarkSchema;
import dev.tokenbilling.model.Money;
import dev.tokenbilling.model.PackageDefinition;
import dev.tokenbilling.model.TokenPackage;
import dev.tokenbilling.stripe.StripeApi;
import dev.tokenbilling.stripe.WebhookVerification;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * What the webhooks benchmark works on: a fresh schema (migrated by the library), the library
 * configured with a webhook signing secret, one package, and pending purchases with PaymentIntent
 * ids made in bulk before each run, with their signed {@code payment_intent.succeeded} events. The
 * schema is dropped on {@link #close()}.
 */
final class WebhooksFixture implements AutoCloseable {

    static final String SECRET = "whsec_benchmark_signing_secret_0001";
    /** Stripe's and the library's default: deliveries older than this are refused. */
    static final Duration TOLERANCE = WebhookVerification.DEFAULT_TOLERANCE;

    static final String PACKAGE_SLUG = "bench-pack";
    static final long PACKAGE_TOKENS = 500_000;
    static final Money PRICE = Money.of(2000, "USD");
    /** Purchases of one side go to this many users, round robin. */
    static final int USERS_PER_SIDE = 10_000;

    private final DataSource dataSource;
    private final String schema;
    private final TokenBilling billing;
    private final TokenPackage tokenPackage;

    private WebhooksFixture(DataSource dataSource, String schema, TokenBilling billing, TokenPackage tokenPackage) {
        this.dataSource = dataSource;
        this.schema = schema;
        this.billing = billing;
        this.tokenPackage = tokenPackage;
    }

    static WebhooksFixture create(DataSource dataSource) throws SQLException {
        String schema = BenchmarkSchema.uniqueName("webhooks");
        TokenBilling billing = TokenBilling.builder()
                .dataSource(dataSource)
                .schema(schema)
                .stripe(StripeApi.builder().secretKey("sk_test_benchmark").build())
                .webhooks(WebhookVerification.builder().secret(SECRET).build())
                .build();
        try {
            TokenPackage tokenPackage = billing.service()
                    .catalog()
                    .savePackage(new PackageDefinition(
                            PACKAGE_SLUG,
                            "Benchmark pack",
                            "tokens",
                            PACKAGE_TOKENS,
                            PRICE,
                            "webhooks benchmark",
                            true,
                            0))
                    .tokenPackage();
            return new WebhooksFixture(dataSource, schema, billing, tokenPackage);
        } catch (RuntimeException e) {
            BenchmarkSchema.drop(dataSource, schema);
            throw e;
        }
    }

    String schema() {
        return schema;
    }

    DataSource dataSource() {
        return dataSource;
    }

    TokenBilling billing() {
        return billing;
    }

    /**
     * Creates {@code count} pending purchases of the package, each with its own PaymentIntent id, for
     * users {@code <userPrefix>0..9999}, in one {@code INSERT ... SELECT generate_series} (the rows
     * {@code PurchaseRepository.insert} and {@code attachPaymentIntent} would write, without 2 round
     * trips per purchase); then builds and signs, now, the {@code payment_intent.succeeded} event of each.
     */
    List<SignedEvent> prepare(String pool, String userPrefix, int count) throws SQLException {
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        List<SignedEvent> events = new ArrayList<>(count);
        try (Connection connection = dataSource.getConnection();
                PreparedStatement insert = connection.prepareStatement("INSERT INTO " + schema + ".token_purchase"
                        + " (user_id, package_id, package_slug, token_amount, amount_minor, currency, status, stripe_payment_intent_id,"
                        + " created_at, updated_at)"
                        + " SELECT ? || (g % ?), ?, ?, ?, ?, ?, 'pending', ? || g, ?, ?"
                        + " FROM generate_series(1, ?) AS g RETURNING id, user_id, stripe_payment_intent_id")) {
            insert.setString(1, userPrefix);
            insert.setInt(2, USERS_PER_SIDE);
            insert.setLong(3, tokenPackage.id());
            insert.setString(4, tokenPackage.slug());
            insert.setLong(5, tokenPackage.tokenAmount());
            insert.setLong(6, tokenPackage.price().minorUnits());
            insert.setString(7, tokenPackage.price().currency().getCurrencyCode());
            insert.setString(8, "pi_bench_" + pool + "_");
            insert.setObject(9, now);
            insert.setObject(10, now);
            insert.setInt(11, count);
            long signedAt = System.currentTimeMillis() / 1000;
            try (ResultSet rows = insert.executeQuery()) {
                while (rows.next()) {
                    String paymentIntent = rows.getString(3);
                    String suffix = paymentIntent.substring("pi_".length());
                    String payload = StripePayloads.paymentIntentSucceeded(
                            "evt_" + suffix,
                            paymentIntent,
                            "ch_" + suffix,
                            rows.getLong(1),
                            rows.getString(2),
                            tokenPackage.price().minorUnits(),
                            tokenPackage.price().stripeCurrency(),
                            signedAt);
                    events.add(StripePayloads.signed("evt_" + suffix, payload, SECRET, signedAt));
                }
            }
            try (Statement analyze = connection.createStatement()) {
                analyze.execute("ANALYZE " + schema + ".token_purchase");
            }
        }
        return events;
    }

    /** The same deliveries signed again, now: a redelivery carries a fresh timestamp, and old ones would fall out of the tolerance. */
    static List<SignedEvent> resign(List<SignedEvent> events) {
        long now = System.currentTimeMillis() / 1000;
        List<SignedEvent> fresh = new ArrayList<>(events.size());
        for (SignedEvent event : events) {
            String payload = new String(event.body(), java.nio.charset.StandardCharsets.UTF_8);
            fresh.add(new SignedEvent(event.eventId(), event.body(), StripePayloads.sign(payload, SECRET, now)));
        }
        return fresh;
    }

    List<String> violations() {
        return billing.service().operations().audit().violations();
    }

    /** A single number from this schema: {@code {schema}} in the SQL names it. */
    long count(String sql) throws SQLException {
        return BenchmarkSchema.count(dataSource, schema, sql);
    }

    @Override
    public void close() throws SQLException {
        BenchmarkSchema.drop(dataSource, schema);
    }
}
