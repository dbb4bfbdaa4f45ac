package dev.tokenbilling.internal.postgres;

import dev.tokenbilling.model.BillingInterval;
import dev.tokenbilling.model.Subscription;
import dev.tokenbilling.model.SubscriptionStatus;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.store.SubscriptionRepository;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Users' subscriptions and Stripe customers on PostgreSQL. */
final class PostgresSubscriptionRepository implements SubscriptionRepository {

    private static final String COLUMNS = "s.user_id, s.stripe_subscription_id, s.stripe_customer_id, s.tier_id,"
            + " t.slug AS tier_slug, s.billing_interval, s.status, s.current_period_start, s.current_period_end,"
            + " s.cancel_at_period_end, s.canceled_at, s.ended_at, s.stripe_changed_at, s.created_at, s.updated_at";

    /** The statements, rendered once per store. */
    record Statements(
            String upsert,
            String find,
            String byStripeId,
            String forUser,
            String list,
            String listByStatus,
            String listStalest,
            String customerOf,
            String saveCustomer,
            String userOfCustomer) {

        static Statements of(SchemaName schema) {
            String select = "SELECT " + COLUMNS + " FROM {schema}.user_subscription s"
                    + " JOIN {schema}.subscription_tier t ON t.id = s.tier_id ";
            return new Statements(
                    // A snapshot older than the stored one changes nothing (late events).
                    schema.render("INSERT INTO {schema}.user_subscription AS s (user_id, stripe_subscription_id,"
                            + " stripe_customer_id, tier_id, billing_interval, status, current_period_start, current_period_end,"
                            + " cancel_at_period_end, canceled_at, ended_at, stripe_changed_at, created_at, updated_at)"
                            + " VALUES (:user, :id, :customer, :tierId, :interval, :status, :periodStart, :periodEnd,"
                            + " :cancelAtPeriodEnd, :canceledAt, :endedAt, :changedAt, :createdAt, :updatedAt)"
                            + " ON CONFLICT (user_id, stripe_subscription_id) DO UPDATE SET"
                            + " stripe_customer_id = coalesce(EXCLUDED.stripe_customer_id, s.stripe_customer_id),"
                            + " tier_id = EXCLUDED.tier_id, billing_interval = EXCLUDED.billing_interval,"
                            + " status = EXCLUDED.status, current_period_start = EXCLUDED.current_period_start,"
                            + " current_period_end = EXCLUDED.current_period_end,"
                            + " cancel_at_period_end = EXCLUDED.cancel_at_period_end, canceled_at = EXCLUDED.canceled_at,"
                            + " ended_at = EXCLUDED.ended_at, stripe_changed_at = EXCLUDED.stripe_changed_at,"
                            + " updated_at = EXCLUDED.updated_at"
                            + " WHERE s.stripe_changed_at <= EXCLUDED.stripe_changed_at"),
                    schema.render(select + "WHERE s.user_id = :user AND s.stripe_subscription_id = :id"),
                    schema.render(select + "WHERE s.stripe_subscription_id = :id ORDER BY s.created_at LIMIT 1"),
                    schema.render(select + "WHERE s.user_id = :user"
                            + " ORDER BY s.current_period_end DESC NULLS LAST, s.created_at DESC"),
                    schema.render(select + "ORDER BY s.current_period_end NULLS LAST, s.user_id LIMIT :limit"),
                    schema.render(
                            select + "WHERE s.status = :status ORDER BY s.current_period_end NULLS LAST, s.user_id"
                                    + " LIMIT :limit"),
                    schema.render(select + "WHERE s.status NOT IN ('canceled', 'incomplete_expired')"
                            + " ORDER BY s.stripe_changed_at, s.user_id LIMIT :limit"),
                    schema.render("SELECT stripe_customer_id FROM {schema}.billing_customer WHERE user_id = :user"),
                    schema.render(
                            "WITH inserted AS (INSERT INTO {schema}.billing_customer (user_id, stripe_customer_id, created_at)"
                                    + " VALUES (:user, :customer, :at) ON CONFLICT (user_id) DO NOTHING RETURNING stripe_customer_id)"
                                    + " SELECT stripe_customer_id FROM inserted UNION ALL"
                                    + " SELECT stripe_customer_id FROM {schema}.billing_customer WHERE user_id = :user LIMIT 1"),
                    schema.render("SELECT user_id FROM {schema}.billing_customer WHERE stripe_customer_id = :customer"
                            + " ORDER BY created_at LIMIT 1"));
        }
    }

    private final HandleAccess access;
    private final Statements sql;

    PostgresSubscriptionRepository(HandleAccess access, Statements sql) {
        this.access = access;
        this.sql = sql;
    }

    @Override
    public Subscription save(Subscription subscription) {
        return access.with(handle -> {
            handle.createUpdate(sql.upsert())
                    .bind("user", subscription.userId().value())
                    .bind("id", subscription.stripeSubscriptionId())
                    .bind("customer", subscription.stripeCustomerId().orElse(null))
                    .bind("tierId", subscription.tierId())
                    .bind("interval", subscription.interval().wireName())
                    .bind("status", subscription.status().wireName())
                    .bind(
                            "periodStart",
                            Rows.utc(subscription.currentPeriodStart().orElse(null)))
                    .bind("periodEnd", Rows.utc(subscription.currentPeriodEnd().orElse(null)))
                    .bind("cancelAtPeriodEnd", subscription.cancelAtPeriodEnd())
                    .bind("canceledAt", Rows.utc(subscription.canceledAt().orElse(null)))
                    .bind("endedAt", Rows.utc(subscription.endedAt().orElse(null)))
                    .bind("changedAt", Rows.utc(subscription.stripeChangedAt()))
                    .bind("createdAt", Rows.utc(subscription.createdAt()))
                    .bind("updatedAt", Rows.utc(subscription.updatedAt()))
                    .execute();
            return handle.createQuery(sql.find())
                    .bind("user", subscription.userId().value())
                    .bind("id", subscription.stripeSubscriptionId())
                    .map((rs, ctx) -> subscription(rs))
                    .one();
        });
    }

    @Override
    public Optional<Subscription> find(UserId userId, String stripeSubscriptionId) {
        return access.with(handle -> handle.createQuery(sql.find())
                .bind("user", userId.value())
                .bind("id", stripeSubscriptionId)
                .map((rs, ctx) -> subscription(rs))
                .findOne());
    }

    @Override
    public Optional<Subscription> findByStripeId(String stripeSubscriptionId) {
        return access.with(handle -> handle.createQuery(sql.byStripeId())
                .bind("id", stripeSubscriptionId)
                .map((rs, ctx) -> subscription(rs))
                .findOne());
    }

    @Override
    public List<Subscription> forUser(UserId userId) {
        return access.with(handle -> handle.createQuery(sql.forUser())
                .bind("user", userId.value())
                .map((rs, ctx) -> subscription(rs))
                .list());
    }

    @Override
    public List<Subscription> list(Optional<SubscriptionStatus> status, int limit) {
        return access.with(handle -> handle.createQuery(status.isPresent() ? sql.listByStatus() : sql.list())
                .bind("status", status.map(SubscriptionStatus::wireName).orElse(null))
                .bind("limit", limit)
                .map((rs, ctx) -> subscription(rs))
                .list());
    }

    @Override
    public List<Subscription> listStalest(int limit) {
        return access.with(handle -> handle.createQuery(sql.listStalest())
                .bind("limit", limit)
                .map((rs, ctx) -> subscription(rs))
                .list());
    }

    @Override
    public Optional<String> customerOf(UserId userId) {
        return access.with(handle -> handle.createQuery(sql.customerOf())
                .bind("user", userId.value())
                .mapTo(String.class)
                .findOne());
    }

    @Override
    public String saveCustomer(UserId userId, String customerId, Instant at) {
        return access.with(handle -> handle.createQuery(sql.saveCustomer())
                .bind("user", userId.value())
                .bind("customer", customerId)
                .bind("at", Rows.utc(at))
                .mapTo(String.class)
                .findFirst()
                // A racing insert not yet visible to this statement's snapshot: read it now.
                .orElseGet(() -> handle.createQuery(sql.customerOf())
                        .bind("user", userId.value())
                        .mapTo(String.class)
                        .one()));
    }

    @Override
    public Optional<UserId> userOfCustomer(String customerId) {
        return access.with(handle -> handle.createQuery(sql.userOfCustomer())
                .bind("customer", customerId)
                .mapTo(String.class)
                .findOne()
                .map(UserId::of));
    }

    private static Subscription subscription(ResultSet rs) throws SQLException {
        return new Subscription(
                UserId.of(rs.getString("user_id")),
                rs.getString("stripe_subscription_id"),
                Rows.optionalString(rs, "stripe_customer_id"),
                rs.getLong("tier_id"),
                rs.getString("tier_slug"),
                BillingInterval.fromWireName(rs.getString("billing_interval")),
                SubscriptionStatus.fromWireName(rs.getString("status")),
                Optional.ofNullable(Rows.instant(rs, "current_period_start")),
                Optional.ofNullable(Rows.instant(rs, "current_period_end")),
                rs.getBoolean("cancel_at_period_end"),
                Optional.ofNullable(Rows.instant(rs, "canceled_at")),
                Optional.ofNullable(Rows.instant(rs, "ended_at")),
                Rows.instant(rs, "stripe_changed_at"),
                Rows.instant(rs, "created_at"),
                Rows.instant(rs, "updated_at"));
    }
}
