package dev.tokenbilling.internal.postgres;

import dev.tokenbilling.model.PackageDefinition;
import dev.tokenbilling.model.TokenPackage;
import dev.tokenbilling.store.PackageRepository;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.statement.SqlStatement;

/** The package catalog on PostgreSQL. */
final class PostgresPackageRepository implements PackageRepository {

    private final HandleAccess access;
    private final String listActive;
    private final String listAll;
    private final String bySlug;
    private final String bySlugForUpdate;
    private final String byId;
    private final String insert;
    private final String update;
    private final String updateStripeIds;

    PostgresPackageRepository(HandleAccess access, SchemaName schema) {
        this.access = access;
        String select = "SELECT " + Rows.PACKAGE_COLUMNS + " FROM {schema}.token_package ";
        listActive = schema.render(select + "WHERE active ORDER BY sort_order, id");
        listAll = schema.render(select + "ORDER BY sort_order, id");
        bySlug = schema.render(select + "WHERE slug = :slug");
        bySlugForUpdate = schema.render(select + "WHERE slug = :slug FOR UPDATE");
        byId = schema.render(select + "WHERE id = :id");
        insert = schema.render(
                "INSERT INTO {schema}.token_package (slug, name, package_type, token_amount, price_minor, currency,"
                        + " description, active, sort_order, validity_days, created_at, updated_at)"
                        + " VALUES (:slug, :name, :packageType, :tokenAmount, :priceMinor, :currency, :description, :active, :sortOrder,"
                        + " CAST(:validityDays AS integer), :at, :at)"
                        + " RETURNING " + Rows.PACKAGE_COLUMNS);
        update = schema.render(
                "UPDATE {schema}.token_package SET slug = :slug, name = :name, package_type = :packageType,"
                        + " token_amount = :tokenAmount, price_minor = :priceMinor, currency = :currency, description = :description,"
                        + " active = :active, sort_order = :sortOrder, validity_days = CAST(:validityDays AS integer), updated_at = :at"
                        + " WHERE id = :id RETURNING " + Rows.PACKAGE_COLUMNS);
        updateStripeIds = schema.render(
                "UPDATE {schema}.token_package SET stripe_product_id = :productId, stripe_price_id = :priceId,"
                        + " updated_at = :at WHERE id = :id RETURNING " + Rows.PACKAGE_COLUMNS);
    }

    @Override
    public List<TokenPackage> list(boolean includeInactive) {
        return access.with(handle -> handle.createQuery(includeInactive ? listAll : listActive)
                .map((rs, ctx) -> Rows.tokenPackage(rs))
                .list());
    }

    @Override
    public Optional<TokenPackage> findBySlug(String slug) {
        return access.with(handle -> handle.createQuery(bySlug)
                .bind("slug", slug)
                .map((rs, ctx) -> Rows.tokenPackage(rs))
                .findOne());
    }

    @Override
    public Optional<TokenPackage> findBySlugForUpdate(String slug) {
        return access.with(handle -> handle.createQuery(bySlugForUpdate)
                .bind("slug", slug)
                .map((rs, ctx) -> Rows.tokenPackage(rs))
                .findOne());
    }

    @Override
    public Optional<TokenPackage> findById(long id) {
        return access.with(handle -> handle.createQuery(byId)
                .bind("id", id)
                .map((rs, ctx) -> Rows.tokenPackage(rs))
                .findOne());
    }

    @Override
    public TokenPackage insert(PackageDefinition definition, Instant at) {
        return access.with(handle -> bindDefinition(handle.createQuery(insert), definition, at)
                .map((rs, ctx) -> Rows.tokenPackage(rs))
                .one());
    }

    @Override
    public TokenPackage update(long id, PackageDefinition definition, Instant at) {
        return access.with(handle -> bindDefinition(handle.createQuery(update), definition, at)
                .bind("id", id)
                .map((rs, ctx) -> Rows.tokenPackage(rs))
                .one());
    }

    @Override
    public TokenPackage updateStripeIds(long id, Optional<String> productId, Optional<String> priceId, Instant at) {
        return access.with(handle -> handle.createQuery(updateStripeIds)
                .bind("id", id)
                .bind("productId", productId.orElse(null))
                .bind("priceId", priceId.orElse(null))
                .bind("at", Rows.utc(at))
                .map((rs, ctx) -> Rows.tokenPackage(rs))
                .one());
    }

    private static <S extends SqlStatement<S>> S bindDefinition(S statement, PackageDefinition definition, Instant at) {
        return statement
                .bind("slug", definition.slug())
                .bind("name", definition.name())
                .bind("packageType", definition.packageType())
                .bind("tokenAmount", definition.tokenAmount())
                .bind("priceMinor", definition.price().minorUnits())
                .bind("currency", definition.price().currency().getCurrencyCode())
                .bind("description", definition.description())
                .bind("active", definition.active())
                .bind("sortOrder", definition.sortOrder())
                .bind("validityDays", definition.validityDays().orElse(null))
                .bind("at", Rows.utc(at));
    }
}
