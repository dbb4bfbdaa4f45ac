package dev.tokenbilling.benchmarks.cli;

import dev.tokenbilling.TokenBilling;
import dev.tokenbilling.model.Debit;
import dev.tokenbilling.model.DefaultCatalog;
import dev.tokenbilling.model.Grant;
import dev.tokenbilling.model.IdempotencyKey;
import dev.tokenbilling.model.LotTerms;
import dev.tokenbilling.model.ReservationRequest;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.service.TokenBillingService;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import javax.sql.DataSource;

/**
 * The data the CLI commands run against: the library's schema, the default catalog's three packages, N purchases
 * generated in one {@code INSERT ... SELECT generate_series} (mixed statuses, spread over many users
 * and the last weeks), and a measured user with lots, a hold and ledger entries made through the library.
 */
final class CliFixture {

    static final String SCHEMA = "bench_cli";
    static final int USERS = 100_000;
    /** One purchase in this many is pending: what {@code billing purchases --status pending} finds. */
    static final int PENDING_EVERY = 20;

    static final UserId MEASURED_USER = UserId.of("user-42");
    static final int MEASURED_USER_DEBITS = 40;

    private final DataSource dataSource;
    private final TokenBillingService service;

    private CliFixture(DataSource dataSource, TokenBillingService service) {
        this.dataSource = dataSource;
        this.service = service;
    }

    /** Migrates the schema and saves the default catalog. */
    static CliFixture create(DataSource dataSource) {
        TokenBilling billing =
                TokenBilling.builder().dataSource(dataSource).schema(SCHEMA).build();
        TokenBillingService service = billing.service();
        DefaultCatalog.packages().forEach(service.catalog()::savePackage);
        return new CliFixture(dataSource, service);
    }

    /**
     * {@code count} purchases of the three packages for users {@code user-0 .. user-99999}, one every 3
     * seconds back from now (newest last), each with a PaymentIntent id: 5% pending, 5% failed, 5%
     * canceled, 5% processing, 2% refunded, the rest completed (with a charge id and completion time);
     * then {@code VACUUM ANALYZE}, as autovacuum would have left a database that old.
     */
    void generatePurchases(long count) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO " + SCHEMA + ".token_purchase"
                    + " (user_id, package_id, package_slug, token_amount, amount_minor, currency, status, stripe_payment_intent_id,"
                    + " stripe_charge_id, created_at, updated_at, completed_at)"
                    + " SELECT 'user-' || (g % " + USERS
                    + "), p.id, p.slug, p.token_amount, p.price_minor, p.currency, s.status,"
                    + " 'pi_gen_' || g, CASE WHEN s.status IN ('completed', 'refunded') THEN 'ch_gen_' || g END, t.at, t.at,"
                    + " CASE WHEN s.status IN ('completed', 'refunded') THEN t.at END"
                    + " FROM generate_series(1, ?) AS g"
                    + " JOIN (SELECT id, slug, token_amount, price_minor, currency, row_number() OVER (ORDER BY id) - 1 AS k"
                    + "       FROM " + SCHEMA + ".token_package) p ON p.k = g % 3"
                    + " CROSS JOIN LATERAL (SELECT now() - (? - g) * interval '3 seconds' AS at) t"
                    + " CROSS JOIN LATERAL (SELECT CASE g % " + PENDING_EVERY
                    + " WHEN 0 THEN 'pending' WHEN 1 THEN 'failed'"
                    + "   WHEN 2 THEN 'canceled' WHEN 3 THEN 'processing' ELSE CASE WHEN g % 50 = 4 THEN 'refunded' ELSE 'completed' END"
                    + "   END AS status) s")) {
                insert.setLong(1, count);
                insert.setLong(2, count);
                insert.executeUpdate();
            }
            try (Statement vacuum = connection.createStatement()) {
                vacuum.execute("VACUUM ANALYZE " + SCHEMA + ".token_purchase");
            }
        }
    }

    /**
     * The measured user's ledger, through the library: three grants (one expiring, different
     * priorities), {@value #MEASURED_USER_DEBITS} debits, and one active hold.
     */
    void fundMeasuredUser() {
        Instant now = Instant.now();
        service.ledger()
                .grant(Grant.of(MEASURED_USER, 50_000, IdempotencyKey.of("bench-cli-grant-1"), "welcome bonus")
                        .withTerms(LotTerms.expiringAt(now.plus(Duration.ofDays(30)))
                                .withPriority(-1)));
        service.ledger()
                .grant(Grant.of(MEASURED_USER, 100_000, IdempotencyKey.of("bench-cli-grant-2"), "support gesture")
                        .withTerms(LotTerms.DEFAULT));
        service.ledger()
                .grant(Grant.of(MEASURED_USER, 500_000, IdempotencyKey.of("bench-cli-grant-3"), "migrated balance")
                        .withTerms(LotTerms.DEFAULT.withPriority(5)));
        for (int i = 0; i < MEASURED_USER_DEBITS; i++) {
            service.ledger()
                    .debit(Debit.of(MEASURED_USER, 1_000 + 37L * i, IdempotencyKey.of("bench-cli-usage-" + i))
                            .withDescription("chat completion"));
        }
        service.reservations()
                .reserve(ReservationRequest.of(
                                MEASURED_USER, 5_000, Duration.ofDays(1), IdempotencyKey.of("bench-cli-hold"))
                        .withDescription("streaming completion"));
    }

    long count(String sql) throws SQLException {
        return dev.tokenbilling.benchmarks.BenchmarkSchema.count(dataSource, SCHEMA, sql);
    }
}
