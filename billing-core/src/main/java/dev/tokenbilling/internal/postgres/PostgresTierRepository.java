package dev.tokenbilling.internal.postgres;

import dev.tokenbilling.model.Money;
import dev.tokenbilling.model.SubscriptionTier;
import dev.tokenbilling.model.TierDefinition;
import dev.tokenbilling.store.TierRepository;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.statement.SqlStatement;

/** The subscription tier catalog on PostgreSQL. */
final class PostgresTierRepository implements TierRepository {

    private static final String COLUMNS = "id, slug, name, monthly_price_minor, yearly_price_minor, currency,"
            + " tokens_per_period, rollover_cap, description, active, sort_order, stripe_product_id,"
            + " stripe_monthly_price_id, stripe_yearly_price_id, created_at, updated_at";

    /** The statements, rendered once per store: a transaction's repository only binds its handle. */
    record Statements(
            String listActive,
            String listAll,
            String bySlug,
            String bySlugForUpdate,
            String byId,
            String byStripeIds,
            String insert,
            String update,
            String updateStripeIds) {

        static Statements of(SchemaName schema) {
            String select = "SELECT " + COLUMNS + " FROM {schema}.subscription_tier ";
            return new Statements(
                    schema.render(select + "WHERE active ORDER BY sort_order, id"),
                    schema.render(select + "ORDER BY sort_order, id"),
                    schema.render(select + "WHERE slug = :slug"),
                    schema.render(select + "WHERE slug = :slug FOR UPDATE"),
                    schema.render(select + "WHERE id = :id"),
                    schema.render(
                            select + "WHERE stripe_product_id = :productId OR stripe_monthly_price_id = :priceId"
                                    + " OR stripe_yearly_price_id = :priceId ORDER BY (stripe_product_id = :productId) DESC, id LIMIT 1"),
                    schema.render(
                            "INSERT INTO {schema}.subscription_tier (slug, name, monthly_price_minor, yearly_price_minor,"
                                    + " currency, tokens_per_period, rollover_cap, description, active, sort_order, created_at, updated_at)"
                                    + " VALUES (:slug, :name, :monthlyMinor, CAST(:yearlyMinor AS bigint), :currency, :tokens,"
                                    + " CAST(:rolloverCap AS bigint), :description, :active, :sortOrder, :at, :at) RETURNING "
                                    + COLUMNS),
                    schema.render("UPDATE {schema}.subscription_tier SET slug = :slug, name = :name,"
                            + " monthly_price_minor = :monthlyMinor, yearly_price_minor = CAST(:yearlyMinor AS bigint),"
                            + " currency = :currency, tokens_per_period = :tokens, rollover_cap = CAST(:rolloverCap AS bigint),"
                            + " description = :description, active = :active, sort_order = :sortOrder, updated_at = :at"
                            + " WHERE id = :id RETURNING " + COLUMNS),
                    schema.render("UPDATE {schema}.subscription_tier SET stripe_product_id = :productId,"
                            + " stripe_monthly_price_id = :monthlyPriceId, stripe_yearly_price_id = :yearlyPriceId,"
                            + " updated_at = :at WHERE id = :id RETURNING " + COLUMNS));
        }
    }

    private final HandleAccess access;
    private final Statements sql;

    PostgresTierRepository(HandleAccess access, Statements sql) {
        this.access = access;
        this.sql = sql;
    }

    @Override
    public List<SubscriptionTier> list(boolean includeInactive) {
        return access.with(handle -> handle.createQuery(includeInactive ? sql.listAll() : sql.listActive())
                .map((rs, ctx) -> tier(rs))
                .list());
    }

    @Override
    public Optional<SubscriptionTier> findBySlug(String slug) {
        return bySlug(sql.bySlug(), slug);
    }

    @Override
    public Optional<SubscriptionTier> findBySlugForUpdate(String slug) {
        return bySlug(sql.bySlugForUpdate(), slug);
    }

    private Optional<SubscriptionTier> bySlug(String statement, String slug) {
        return access.with(handle -> handle.createQuery(statement)
                .bind("slug", slug)
                .map((rs, ctx) -> tier(rs))
                .findOne());
    }

    @Override
    public Optional<SubscriptionTier> findById(long id) {
        return access.with(handle -> handle.createQuery(sql.byId())
                .bind("id", id)
                .map((rs, ctx) -> tier(rs))
                .findOne());
    }

    @Override
    public Optional<SubscriptionTier> findByStripeIds(String productId, String priceId) {
        return access.with(handle -> handle.createQuery(sql.byStripeIds())
                .bind("productId", productId)
                .bind("priceId", priceId)
                .map((rs, ctx) -> tier(rs))
                .findOne());
    }

    @Override
    public SubscriptionTier insert(TierDefinition definition, Instant at) {
        return access.with(handle -> bind(handle.createQuery(sql.insert()), definition, at)
                .map((rs, ctx) -> tier(rs))
                .one());
    }

    @Override
    public SubscriptionTier update(long id, TierDefinition definition, Instant at) {
        return access.with(handle -> bind(handle.createQuery(sql.update()), definition, at)
                .bind("id", id)
                .map((rs, ctx) -> tier(rs))
                .one());
    }

    @Override
    public SubscriptionTier updateStripeIds(
            long id,
            Optional<String> productId,
            Optional<String> monthlyPriceId,
            Optional<String> yearlyPriceId,
            Instant at) {
        return access.with(handle -> handle.createQuery(sql.updateStripeIds())
                .bind("id", id)
                .bind("productId", productId.orElse(null))
                .bind("monthlyPriceId", monthlyPriceId.orElse(null))
                .bind("yearlyPriceId", yearlyPriceId.orElse(null))
                .bind("at", Rows.utc(at))
                .map((rs, ctx) -> tier(rs))
                .one());
    }

    private static <S extends SqlStatement<S>> S bind(S statement, TierDefinition definition, Instant at) {
        return statement
                .bind("slug", definition.slug())
                .bind("name", definition.name())
                .bind("monthlyMinor", definition.monthlyPrice().minorUnits())
                .bind(
                        "yearlyMinor",
                        definition.yearlyPrice().map(Money::minorUnits).orElse(null))
                .bind("currency", definition.monthlyPrice().currency().getCurrencyCode())
                .bind("tokens", definition.tokensPerPeriod())
                .bind("rolloverCap", definition.rolloverCap().orElse(null))
                .bind("description", definition.description())
                .bind("active", definition.active())
                .bind("sortOrder", definition.sortOrder())
                .bind("at", Rows.utc(at));
    }

    static SubscriptionTier tier(ResultSet rs) throws SQLException {
        String currency = rs.getString("currency");
        return new SubscriptionTier(
                rs.getLong("id"),
                rs.getString("slug"),
                rs.getString("name"),
                Money.of(rs.getLong("monthly_price_minor"), currency),
                Rows.optionalLong(rs, "yearly_price_minor").map(minor -> Money.of(minor, currency)),
                rs.getLong("tokens_per_period"),
                Rows.optionalLong(rs, "rollover_cap"),
                rs.getString("description"),
                rs.getBoolean("active"),
                rs.getInt("sort_order"),
                Rows.optionalString(rs, "stripe_product_id"),
                Rows.optionalString(rs, "stripe_monthly_price_id"),
                Rows.optionalString(rs, "stripe_yearly_price_id"),
                Rows.instant(rs, "created_at"),
                Rows.instant(rs, "updated_at"));
    }
}
