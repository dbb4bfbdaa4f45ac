package dev.tokenbilling.internal.postgres;

import dev.tokenbilling.model.Purchase;
import dev.tokenbilling.model.PurchaseQuery;
import dev.tokenbilling.model.PurchaseStatus;
import dev.tokenbilling.spi.NewPurchase;
import dev.tokenbilling.spi.PurchaseRepository;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Purchases on PostgreSQL; every status change is one guarded UPDATE. */
final class PostgresPurchaseRepository implements PurchaseRepository {

    private final HandleAccess access;
    private final String insert;
    private final String byId;
    private final String byPaymentIntent;
    private final String find;
    private final String attachPaymentIntent;
    private final String transition;

    PostgresPurchaseRepository(HandleAccess access, SchemaName schema) {
        this.access = access;
        String select = "SELECT " + Rows.PURCHASE_COLUMNS + " FROM {schema}.token_purchase ";
        insert = schema.render("INSERT INTO {schema}.token_purchase (user_id, package_id, package_slug, token_amount, amount_minor,"
                + " currency, status, stripe_customer_id, created_at, updated_at)"
                + " VALUES (:user, :packageId, :packageSlug, :tokenAmount, :amountMinor, :currency, 'pending', :customer, :at, :at)"
                + " RETURNING " + Rows.PURCHASE_COLUMNS);
        byId = schema.render(select + "WHERE id = :id");
        byPaymentIntent = schema.render(select + "WHERE stripe_payment_intent_id = :pi");
        // Optional filters as "param IS NULL OR ..." keep one plan-cacheable statement; the
        // (status, created_at) and (user_id, id) indexes serve the selective cases.
        find = schema.render(select
                + "WHERE (cardinality(CAST(:statuses AS text[])) = 0 OR status = ANY(CAST(:statuses AS text[])))"
                + " AND (CAST(:user AS text) IS NULL OR user_id = :user)"
                + " AND (CAST(:before AS timestamptz) IS NULL OR created_at < :before)"
                + " ORDER BY created_at DESC, id DESC LIMIT :limit");
        attachPaymentIntent = schema.render("UPDATE {schema}.token_purchase SET stripe_payment_intent_id = :pi, updated_at = :at"
                + " WHERE id = :id AND stripe_payment_intent_id IS NULL");
        transition = schema.render("UPDATE {schema}.token_purchase SET status = :target,"
                + " failure_code = CASE WHEN :target = 'failed' THEN :failureCode ELSE failure_code END,"
                + " failure_message = CASE WHEN :target = 'failed' THEN :failureMessage ELSE failure_message END,"
                + " completed_at = CASE WHEN :target = 'completed' THEN :at ELSE completed_at END,"
                + " updated_at = :at"
                + " WHERE id = :id AND status = ANY(CAST(:sources AS text[])) RETURNING " + Rows.PURCHASE_COLUMNS);
    }

    @Override
    public Purchase insert(NewPurchase purchase) {
        return access.with(handle -> handle.createQuery(insert)
                .bind("user", purchase.userId().value())
                .bind("packageId", purchase.packageId())
                .bind("packageSlug", purchase.packageSlug())
                .bind("tokenAmount", purchase.tokenAmount())
                .bind("amountMinor", purchase.amount().minorUnits())
                .bind("currency", purchase.amount().currency().getCurrencyCode())
                .bind("customer", purchase.stripeCustomerId().orElse(null))
                .bind("at", Rows.utc(purchase.createdAt()))
                .map((rs, ctx) -> Rows.purchase(rs)).one());
    }

    @Override
    public Optional<Purchase> findById(long id) {
        return access.with(handle -> handle.createQuery(byId).bind("id", id).map((rs, ctx) -> Rows.purchase(rs)).findOne());
    }

    @Override
    public Optional<Purchase> findByPaymentIntentId(String paymentIntentId) {
        return access.with(handle -> handle.createQuery(byPaymentIntent).bind("pi", paymentIntentId)
                .map((rs, ctx) -> Rows.purchase(rs)).findOne());
    }

    @Override
    public List<Purchase> find(PurchaseQuery query) {
        String[] statuses = query.statuses().stream().map(PurchaseStatus::wireName).sorted().toArray(String[]::new);
        return access.with(handle -> handle.createQuery(find)
                .bind("statuses", statuses)
                .bind("user", query.userId().map(u -> u.value()).orElse(null))
                .bind("before", query.createdBefore().map(Rows::utc).orElse(null))
                .bind("limit", query.limit())
                .map((rs, ctx) -> Rows.purchase(rs)).list());
    }

    @Override
    public boolean attachPaymentIntent(long purchaseId, String paymentIntentId, Instant at) {
        return access.with(handle -> handle.createUpdate(attachPaymentIntent)
                .bind("id", purchaseId).bind("pi", paymentIntentId).bind("at", Rows.utc(at)).execute()) == 1;
    }

    @Override
    public Optional<Purchase> transition(long purchaseId, PurchaseStatus target, Optional<String> failureCode,
            Optional<String> failureMessage, Instant at) {
        String[] sources = target.allowedSources().stream().map(PurchaseStatus::wireName).toArray(String[]::new);
        return access.with(handle -> handle.createQuery(transition)
                .bind("id", purchaseId)
                .bind("target", target.wireName())
                .bind("sources", sources)
                .bind("failureCode", failureCode.orElse(null))
                .bind("failureMessage", failureMessage.orElse(null))
                .bind("at", Rows.utc(at))
                .map((rs, ctx) -> Rows.purchase(rs)).findOne());
    }
}
