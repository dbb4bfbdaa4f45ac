package dev.tokenbilling.support;

import dev.tokenbilling.LedgerAudit;
import dev.tokenbilling.TokenBilling;
import dev.tokenbilling.TokenBillingService;
import dev.tokenbilling.internal.PurchaseLedger;
import dev.tokenbilling.model.Money;
import dev.tokenbilling.model.PackageDefinition;
import dev.tokenbilling.model.Purchase;
import dev.tokenbilling.model.TokenPackage;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.spi.NewPurchase;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

import static org.assertj.core.api.Assertions.assertThat;

/** A migrated schema of its own and the library built on it, plus helpers the tests share. */
public final class BillingFixture {

    public final DataSource dataSource;
    public final String schema;
    public final TokenBilling billing;
    public final TokenBillingService service;

    /** Another view of {@code base}'s schema, through another clock. */
    public static BillingFixture reuse(BillingFixture base, Clock clock) {
        return new BillingFixture(base.dataSource, base.schema, clock);
    }

    private BillingFixture(DataSource dataSource, String schema, Clock clock) {
        this.dataSource = dataSource;
        this.schema = schema;
        this.billing = TokenBilling.builder().dataSource(dataSource).schema(schema).clock(clock).build();
        this.service = billing.service();
    }

    public static BillingFixture create(Class<?> testClass) {
        return create(testClass, Clock.systemUTC());
    }

    public static BillingFixture create(Class<?> testClass, Clock clock) {
        return new BillingFixture(TestDatabase.dataSource(), TestDatabase.newSchema(testClass), clock);
    }

    /** The seed's three packs. */
    public static List<PackageDefinition> seedPackages() {
        return List.of(
                new PackageDefinition("starter-100k", "Starter", "starter", 100_000, Money.of(500, "USD"),
                        "100,000 AI tokens - perfect for occasional extra requests", true, 1),
                new PackageDefinition("booster-500k", "Booster", "booster", 500_000, Money.of(2000, "USD"),
                        "500,000 AI tokens - great value for regular users", true, 2),
                new PackageDefinition("power-1m", "Power", "power", 1_000_000, Money.of(3500, "USD"),
                        "1,000,000 AI tokens - best value for power users", true, 3));
    }

    public List<TokenPackage> seed() {
        return seedPackages().stream().map(definition -> service.savePackage(definition).tokenPackage()).toList();
    }

    /** A pending purchase of {@code slug} by {@code user}, as startPurchase would insert it. */
    public Purchase pendingPurchase(String user, String slug) {
        TokenPackage pack = service.packageBySlug(slug);
        return billing.store().purchases().insert(new NewPurchase(UserId.of(user), pack.id(), pack.slug(), pack.tokenAmount(),
                pack.price(), Optional.empty(), billing.clock().instant()));
    }

    public PurchaseLedger purchaseLedger() {
        return new PurchaseLedger(billing.store(), billing.clock());
    }

    public void assertLedgerInvariants() {
        assertThat(LedgerAudit.of(dataSource, schema).violations()).isEmpty();
    }
}
