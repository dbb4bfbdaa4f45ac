package dev.tokenbilling.support;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenbilling.TokenBilling;
import dev.tokenbilling.internal.PurchaseTransitions;
import dev.tokenbilling.model.DefaultCatalog;
import dev.tokenbilling.model.PackageDefinition;
import dev.tokenbilling.model.Purchase;
import dev.tokenbilling.model.PurchaseTransition;
import dev.tokenbilling.model.TokenPackage;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.payment.PaymentIntentSnapshot;
import dev.tokenbilling.service.TokenBillingService;
import dev.tokenbilling.store.NewPurchase;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/** A migrated schema of its own and the library built on it, plus helpers the tests share. */
public final class BillingFixture {

    public final DataSource dataSource;
    public final String schema;
    public final TokenBilling billing;
    public final TokenBillingService service;
    public final PurchaseTransitions transitions;

    /** Another view of {@code base}'s schema, through another clock. */
    public static BillingFixture reuse(BillingFixture base, Clock clock) {
        return new BillingFixture(base.dataSource, base.schema, clock);
    }

    /** A fresh schema and a library built with extra settings (Stripe, policies). */
    public static BillingFixture create(
            Class<?> testClass, java.util.function.Consumer<TokenBilling.Builder> settings) {
        return new BillingFixture(
                TestDatabase.dataSource(), TestDatabase.newSchema(testClass), Clock.systemUTC(), settings);
    }

    private BillingFixture(DataSource dataSource, String schema, Clock clock) {
        this(dataSource, schema, clock, builder -> {});
    }

    private BillingFixture(
            DataSource dataSource,
            String schema,
            Clock clock,
            java.util.function.Consumer<TokenBilling.Builder> settings) {
        this.dataSource = dataSource;
        this.schema = schema;
        TokenBilling.Builder builder = TokenBilling.builder()
                .dataSource(dataSource)
                .schema(schema)
                .clock(clock)
                .topology(TestDatabase.topology());
        settings.accept(builder);
        this.billing = builder.build();
        this.service = billing.service();
        this.transitions = new PurchaseTransitions(clock, dev.tokenbilling.model.RefundPolicy.ALLOW_NEGATIVE_BALANCE);
    }

    public static BillingFixture create(Class<?> testClass) {
        return create(testClass, Clock.systemUTC());
    }

    public static BillingFixture create(Class<?> testClass, Clock clock) {
        return new BillingFixture(TestDatabase.dataSource(), TestDatabase.newSchema(testClass), clock);
    }

    /** The default catalog's three packs. */
    public static List<PackageDefinition> seedPackages() {
        return DefaultCatalog.packages();
    }

    public List<TokenPackage> seed() {
        return seedPackages().stream()
                .map(definition -> service.catalog().savePackage(definition).tokenPackage())
                .toList();
    }

    /** A pending purchase with its PaymentIntent id attached, as startPurchase leaves it. */
    public Purchase pendingPurchaseWithIntent(String user, String slug) {
        Purchase purchase = pendingPurchase(user, slug);
        billing.store()
                .purchases()
                .attachPaymentIntent(
                        purchase.id(), "pi_" + purchase.id(), billing.clock().instant());
        return billing.store().purchases().findById(purchase.id()).orElseThrow();
    }

    /** A pending purchase of {@code slug} by {@code user}, as startPurchase would insert it. */
    public Purchase pendingPurchase(String user, String slug) {
        TokenPackage pack = service.catalog().getPackage(slug);
        return billing.store()
                .purchases()
                .insert(new NewPurchase(
                        UserId.of(user),
                        pack.id(),
                        pack.slug(),
                        pack.tokenAmount(),
                        pack.price(),
                        Optional.empty(),
                        billing.clock().instant(),
                        pack.validityDays()));
    }

    /** Applies a PaymentIntent in {@code status} to the purchase, through the real transition code. */
    public PurchaseTransition applyIntent(Purchase purchase, String status, Optional<String> failureCode) {
        PaymentIntentSnapshot intent = new PaymentIntentSnapshot(
                "pi_test_" + purchase.id(),
                status,
                purchase.amount(),
                Optional.empty(),
                java.util.Map.of("purchase_id", Long.toString(purchase.id())),
                failureCode,
                failureCode.map(c -> "Your card was declined."),
                Optional.of("ch_test_" + purchase.id()));
        return billing.store()
                .inTransaction(tx -> transitions.applyPaymentIntent(
                        tx, purchase.id(), intent, new dev.tokenbilling.internal.AfterCommit()));
    }

    /** Completes and credits the purchase as a succeeded PaymentIntent would; true when this call did it. */
    public boolean complete(Purchase purchase) {
        return applyIntent(purchase, "succeeded", Optional.empty()) instanceof PurchaseTransition.Completed;
    }

    public void assertLedgerInvariants() {
        assertThat(service.operations().audit().violations()).isEmpty();
    }
}
