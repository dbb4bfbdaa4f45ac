package dev.tokenbilling.internal.postgres;

import dev.tokenbilling.store.BillingStore;
import dev.tokenbilling.store.LedgerRepository;
import dev.tokenbilling.store.OutboxRepository;
import dev.tokenbilling.store.PackageRepository;
import dev.tokenbilling.store.PurchaseRepository;
import dev.tokenbilling.store.RechargeRepository;
import dev.tokenbilling.store.ReservationRepository;
import dev.tokenbilling.store.SettingsRepository;
import dev.tokenbilling.store.SubscriptionRepository;
import dev.tokenbilling.store.TierRepository;
import dev.tokenbilling.store.WebhookEventRepository;
import java.util.function.Function;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.ColonPrefixSqlParser;
import org.jdbi.v3.core.statement.SqlStatements;
import org.jdbi.v3.core.statement.TemplateEngine;

/** The {@link BillingStore} on PostgreSQL through JDBI. Tables live in one configurable schema. */
public final class PostgresBillingStore implements BillingStore {

    private static final String SAVEPOINT = "billing_attempt";
    /** Well above the store's distinct statements (a few hundred, all constant). */
    private static final int STATEMENT_CACHE_SIZE = 2_000;

    private final Jdbi jdbi;
    private final SchemaName schema;
    private final LedgerSql ledgerSql;
    private final HandleAccess access;
    private final Statements statements;
    // A transaction's store makes only the repositories its work uses (most use one or two), each
    // on first use: it is used by one thread. The pooled store makes them all at once.
    private PackageRepository packages;
    private PurchaseRepository purchases;
    private LedgerRepository ledger;
    private WebhookEventRepository webhookEvents;
    private ReservationRepository reservations;
    private SettingsRepository settings;
    private TierRepository tiers;
    private SubscriptionRepository subscriptions;
    private OutboxRepository outbox;
    private RechargeRepository recharges;

    private final LedgerAudit audit;
    /** On Citus: statements that must name the user (row locks, leases) and batches split by shard. */
    private final boolean citus;
    /** On Citus: the purchases' users, shared by this store and the stores of its transactions. */
    private final PurchaseOwners purchaseOwners;

    /** Statements of the newer repositories, rendered once per store rather than once per transaction. */
    private record Statements(
            PostgresTierRepository.Statements tiers,
            PostgresSubscriptionRepository.Statements subscriptions,
            PostgresOutboxRepository.Statements outbox,
            PostgresRechargeRepository.Statements recharges) {

        static Statements of(SchemaName schema) {
            return new Statements(
                    PostgresTierRepository.Statements.of(schema),
                    PostgresSubscriptionRepository.Statements.of(schema),
                    PostgresOutboxRepository.Statements.of(schema),
                    PostgresRechargeRepository.Statements.of(schema));
        }
    }

    private PostgresBillingStore(
            Jdbi jdbi,
            SchemaName schema,
            LedgerSql ledgerSql,
            Statements statements,
            HandleAccess access,
            LedgerAudit audit,
            boolean citus,
            PurchaseOwners purchaseOwners) {
        this.purchaseOwners = purchaseOwners;
        this.audit = audit;
        this.citus = citus;
        this.jdbi = jdbi;
        this.schema = schema;
        this.ledgerSql = ledgerSql;
        this.access = access;
        this.statements = statements;
        if (!access.inTransaction()) {
            packages();
            purchases();
            ledger();
            webhookEvents();
            reservations();
            settings();
            tiers();
            subscriptions();
            outbox();
            recharges();
        }
    }

    /** A store over {@code dataSource} (ideally a pool) whose tables are in {@code schema}. */
    public static PostgresBillingStore create(DataSource dataSource, String schema) {
        return create(dataSource, schema, false);
    }

    /**
     * A store over {@code dataSource} whose tables are in {@code schema}; {@code citus} when they are
     * laid out on a Citus cluster ({@link CitusLayout}).
     */
    public static PostgresBillingStore create(DataSource dataSource, String schema, boolean citus) {
        Jdbi jdbi = Jdbi.create(dataSource);
        // Statements share binders across variants (e.g. :tokens only matters to debits).
        jdbi.getConfig(SqlStatements.class).setUnusedBindingAllowed(true);
        // Statements are complete SQL once the schema is put in (SchemaName.render): no template pass,
        // and parsed SQL kept in a cache that reads without a lock (see StatementCache).
        StatementCache cache = new StatementCache(STATEMENT_CACHE_SIZE);
        jdbi.getConfig(SqlStatements.class)
                .setTemplateEngine(TemplateEngine.NOP)
                .setTemplateCache(cache)
                .setSqlParser(new ColonPrefixSqlParser(cache));
        SchemaName name = new SchemaName(schema);
        return new PostgresBillingStore(
                jdbi,
                name,
                new LedgerSql(name),
                Statements.of(name),
                HandleAccess.pooled(jdbi),
                LedgerAudit.of(dataSource, schema),
                citus,
                new PurchaseOwners());
    }

    @Override
    public PackageRepository packages() {
        if (packages == null) {
            packages = new PostgresPackageRepository(access, schema);
        }
        return packages;
    }

    @Override
    public RechargeRepository recharges() {
        if (recharges == null) {
            recharges = new PostgresRechargeRepository(access, statements.recharges(), citus);
        }
        return recharges;
    }

    @Override
    public OutboxRepository outbox() {
        if (outbox == null) {
            outbox = new PostgresOutboxRepository(access, statements.outbox(), citus);
        }
        return outbox;
    }

    @Override
    public TierRepository tiers() {
        if (tiers == null) {
            tiers = new PostgresTierRepository(access, statements.tiers());
        }
        return tiers;
    }

    @Override
    public SubscriptionRepository subscriptions() {
        if (subscriptions == null) {
            subscriptions = new PostgresSubscriptionRepository(access, statements.subscriptions());
        }
        return subscriptions;
    }

    @Override
    public PurchaseRepository purchases() {
        if (purchases == null) {
            purchases = new PostgresPurchaseRepository(access, schema, citus, purchaseOwners);
        }
        return purchases;
    }

    @Override
    public LedgerRepository ledger() {
        if (ledger == null) {
            ledger = new PostgresLedgerRepository(access, ledgerSql, audit, citus);
        }
        return ledger;
    }

    @Override
    public ReservationRepository reservations() {
        if (reservations == null) {
            reservations = new PostgresReservationRepository(access, schema);
        }
        return reservations;
    }

    @Override
    public SettingsRepository settings() {
        if (settings == null) {
            settings = new PostgresSettingsRepository(access, schema);
        }
        return settings;
    }

    @Override
    public WebhookEventRepository webhookEvents() {
        if (webhookEvents == null) {
            webhookEvents = new PostgresWebhookEventRepository(access, schema, citus);
        }
        return webhookEvents;
    }

    @Override
    public <T> T inTransaction(Function<BillingStore, T> work) {
        if (access.inTransaction()) {
            return work.apply(this);
        }
        try {
            return jdbi.inTransaction(handle -> work.apply(new PostgresBillingStore(
                    jdbi, schema, ledgerSql, statements, HandleAccess.bound(handle), audit, citus, purchaseOwners)));
        } catch (RuntimeException e) {
            throw StoreErrors.translate(e);
        }
    }

    @Override
    public <T> T inSavepoint(Function<BillingStore, T> work) {
        if (!access.inTransaction()) {
            return inTransaction(work);
        }
        return access.with(handle -> {
            // PostgreSQL resolves a reused name to the newest savepoint, so nesting needs no counter.
            handle.savepoint(SAVEPOINT);
            T result;
            try {
                result = work.apply(this);
            } catch (RuntimeException e) {
                try {
                    handle.rollbackToSavepoint(SAVEPOINT);
                } catch (RuntimeException rollbackFailure) {
                    rollbackFailure.addSuppressed(e);
                    throw StoreErrors.translate(rollbackFailure);
                }
                throw e;
            }
            handle.releaseSavepoint(SAVEPOINT);
            return result;
        });
    }

    /** The schema holding the tables. */
    public String schema() {
        return schema.value();
    }
}
