package dev.tokenbilling.internal.postgres;

import dev.tokenbilling.model.Purchase;
import dev.tokenbilling.model.PurchaseQuery;
import dev.tokenbilling.model.PurchaseReversal;
import dev.tokenbilling.model.PurchaseStatus;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.store.NewPurchase;
import dev.tokenbilling.store.PurchaseRepository;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Purchases on PostgreSQL; every status change is one guarded UPDATE. */
final class PostgresPurchaseRepository implements PurchaseRepository {

    private final HandleAccess access;
    private final String insert;
    private final String byId;
    private final String byPaymentIntent;
    private final String find;
    private final String attachPaymentIntent;
    private final String transition;
    private final String byIdForUpdate;
    private final String byCharge;
    private final String byPaymentIntentForUpdate;
    private final String complete;
    private final String countOpen;
    private final String countOpenOfUser;
    private final String attachCharge;
    private final String recordReversal;
    private final String leaseStuck;
    private final String findReversal;
    private final String saveReversal;
    private final String reversalsOfPurchase;
    private final boolean citus;
    private final PurchaseOwners owners;
    private final String userOfPurchase;
    private final String userOfPaymentIntent;
    private final String paymentIntentTaken;
    private final String stuckCandidates;

    /**
     * On Citus ({@code citus}), every statement that locks or changes a purchase names its user, so
     * that it runs on that user's shard (Citus refuses row locks across shards): the user is looked up
     * by the purchase's id or PaymentIntent first, and leases pick candidates first, then lock each.
     */
    PostgresPurchaseRepository(HandleAccess access, SchemaName schema, boolean citus, PurchaseOwners owners) {
        this.access = access;
        this.citus = citus;
        this.owners = owners;
        String open = Rows.sqlList(PurchaseStatus.OPEN);
        String reversalColumns = "SELECT user_id, stripe_id, purchase_id, kind, status, amount_minor, tokens_reversed,"
                + " created_at, updated_at FROM {schema}.purchase_reversal WHERE user_id = :user";
        findReversal = schema.render(reversalColumns + " AND stripe_id = :stripeId");
        reversalsOfPurchase =
                schema.render(reversalColumns + " AND purchase_id = :purchaseId ORDER BY created_at, stripe_id");
        saveReversal = schema.render(
                "INSERT INTO {schema}.purchase_reversal (user_id, stripe_id, purchase_id, kind, status, amount_minor,"
                        + " tokens_reversed, created_at, updated_at) VALUES (:user, :stripeId, :purchaseId, :kind, :status, :amount, :tokens,"
                        + " :createdAt, :updatedAt) ON CONFLICT (user_id, stripe_id) DO UPDATE SET status = excluded.status,"
                        + " amount_minor = excluded.amount_minor, tokens_reversed = excluded.tokens_reversed, updated_at = excluded.updated_at");
        String select = "SELECT " + Rows.PURCHASE_COLUMNS + " FROM {schema}.token_purchase ";
        String byUserAndId = citus ? "WHERE user_id = :user AND id = :id" : "WHERE id = :id";
        userOfPurchase = schema.render("SELECT user_id FROM {schema}.token_purchase WHERE id = :id");
        userOfPaymentIntent =
                schema.render("SELECT user_id FROM {schema}.token_purchase WHERE stripe_payment_intent_id = :pi");
        paymentIntentTaken = schema.render(
                "SELECT EXISTS (SELECT 1 FROM {schema}.token_purchase WHERE stripe_payment_intent_id = :pi)");
        insert = schema.render(
                "INSERT INTO {schema}.token_purchase (user_id, package_id, package_slug, token_amount, amount_minor,"
                        + " currency, status, stripe_customer_id, created_at, updated_at, validity_days)"
                        + " VALUES (:user, :packageId, :packageSlug, :tokenAmount, :amountMinor, :currency, '"
                        + PurchaseStatus.PENDING.wireName() + "', :customer, :at, :at, CAST(:validityDays AS integer))"
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
        // Unique per user by index; across users (where no index may span shards) by this guard: Stripe
        // makes each PaymentIntent for one purchase, so only a bug or a forged event could race here. On
        // Citus the guard is a query of its own before the update (an update cannot read other shards).
        attachPaymentIntent = schema.render(
                "UPDATE {schema}.token_purchase SET stripe_payment_intent_id = :pi, updated_at = :at " + byUserAndId
                        + " AND stripe_payment_intent_id IS NULL"
                        + (citus
                                ? ""
                                : " AND NOT EXISTS (SELECT 1 FROM {schema}.token_purchase o WHERE o.stripe_payment_intent_id = :pi)"));
        transition = schema.render("UPDATE {schema}.token_purchase SET status = :target,"
                + " failure_code = :failureCode, failure_message = :failureMessage,"
                + " completed_at = CASE WHEN :target = '" + PurchaseStatus.COMPLETED.wireName()
                + "' THEN coalesce(completed_at, :at) ELSE completed_at END,"
                + " updated_at = :at"
                + " " + byUserAndId + " AND status = ANY(CAST(:sources AS text[])) RETURNING " + Rows.PURCHASE_COLUMNS);
        byIdForUpdate = schema.render(select + byUserAndId + " FOR UPDATE");
        byCharge = schema.render(select + "WHERE stripe_charge_id = :charge");
        byPaymentIntentForUpdate = schema.render(select + (citus ? "WHERE user_id = :user AND " : "WHERE ")
                + "stripe_payment_intent_id = :pi FOR UPDATE");
        complete = schema.render("UPDATE {schema}.token_purchase SET status = '" + PurchaseStatus.COMPLETED.wireName()
                + "', failure_code = NULL, failure_message = NULL,"
                + " completed_at = coalesce(completed_at, :at), stripe_charge_id = coalesce(CAST(:charge AS text), stripe_charge_id),"
                + " updated_at = :at " + byUserAndId + " AND status IN (" + open + ", '"
                + PurchaseStatus.CANCELED.wireName()
                + "')"
                + " RETURNING " + Rows.PURCHASE_COLUMNS);
        countOpen = schema.render(
                "SELECT count(*) FROM {schema}.token_purchase WHERE status IN (" + open + ") AND created_at < :before");
        countOpenOfUser = schema.render(
                "SELECT count(*) FROM {schema}.token_purchase WHERE user_id = :user AND status IN (" + open + ")");
        attachCharge = schema.render(
                "UPDATE {schema}.token_purchase SET stripe_charge_id = :charge, updated_at = :at " + byUserAndId);
        recordReversal =
                schema.render("UPDATE {schema}.token_purchase SET status = :status, amount_refunded_minor = :refunded,"
                        + " tokens_reversed = :reversed, reversal_shortfall = :shortfall, tokens_disputed = :disputed, updated_at = :at"
                        + " " + byUserAndId + " RETURNING " + Rows.PURCHASE_COLUMNS);
        // The lease is the next_check_at pushed into the future: other reconcilers skip the row
        // while it is locked and no longer see it as due once this statement commits. On Citus the due
        // purchases are picked first (no row lock may span shards), then each is leased on its shard.
        String due = "status IN (" + open
                + ") AND created_at < :before AND (next_check_at IS NULL OR next_check_at <= :now)";
        String lease = "UPDATE {schema}.token_purchase p SET check_attempts = p.check_attempts + 1,"
                + " next_check_at = CAST(:now AS timestamptz) + make_interval(secs => least(CAST(:maxSeconds AS double precision),"
                + "   CAST(:baseSeconds AS double precision) * power(2, least(p.check_attempts, 30))))";
        // On Citus the next check is computed here from the attempts the candidate had (Citus refuses
        // time arithmetic on a column in an UPDATE), guarded by those attempts.
        leaseStuck = schema.render(
                citus
                        ? "UPDATE {schema}.token_purchase p SET check_attempts = p.check_attempts + 1, next_check_at = :next"
                                + " WHERE p.user_id = :user AND p.id IN (SELECT id FROM {schema}.token_purchase"
                                + "   WHERE user_id = :user AND id = :id AND check_attempts = :attempts AND " + due
                                + "   FOR UPDATE SKIP LOCKED)"
                                + " RETURNING " + Rows.PURCHASE_COLUMNS
                        : lease + " WHERE p.id IN (SELECT id FROM {schema}.token_purchase WHERE " + due
                                + "   ORDER BY created_at LIMIT :limit FOR UPDATE SKIP LOCKED)"
                                + " RETURNING " + Rows.PURCHASE_COLUMNS);
        stuckCandidates = schema.render("SELECT user_id, id, check_attempts FROM {schema}.token_purchase WHERE " + due
                + " ORDER BY created_at LIMIT :limit");
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
                .bind("validityDays", purchase.validityDays().orElse(null))
                .map((rs, ctx) -> Rows.purchase(rs))
                .one());
    }

    @Override
    public Optional<Purchase> findById(long id) {
        return access.with(handle -> handle.createQuery(byId)
                .bind("id", id)
                .map((rs, ctx) -> Rows.purchase(rs))
                .findOne());
    }

    @Override
    public Optional<Purchase> findByPaymentIntentId(String paymentIntentId) {
        return access.with(handle -> handle.createQuery(byPaymentIntent)
                .bind("pi", paymentIntentId)
                .map((rs, ctx) -> Rows.purchase(rs))
                .findOne());
    }

    @Override
    public List<Purchase> find(PurchaseQuery query) {
        String[] statuses =
                query.statuses().stream().map(PurchaseStatus::wireName).sorted().toArray(String[]::new);
        return access.with(handle -> handle.createQuery(find)
                .bind("statuses", statuses)
                .bind("user", query.userId().map(u -> u.value()).orElse(null))
                .bind("before", query.createdBefore().map(Rows::utc).orElse(null))
                .bind("limit", query.limit())
                .map((rs, ctx) -> Rows.purchase(rs))
                .list());
    }

    @Override
    public boolean attachPaymentIntent(long purchaseId, String paymentIntentId, Instant at) {
        return access.with(handle -> {
                    if (citus
                            && handle.createQuery(paymentIntentTaken)
                                    .bind("pi", paymentIntentId)
                                    .mapTo(Boolean.class)
                                    .one()) {
                        return 0;
                    }
                    return handle.createUpdate(attachPaymentIntent)
                            .bind("id", purchaseId)
                            .bind("user", userOf(handle, purchaseId))
                            .bind("pi", paymentIntentId)
                            .bind("at", Rows.utc(at))
                            .execute();
                })
                == 1;
    }

    @Override
    public long countOpen(UserId userId) {
        return access.with(handle -> handle.createQuery(countOpenOfUser)
                .bind("user", userId.value())
                .mapTo(Long.class)
                .one());
    }

    @Override
    public long countOpen(Instant createdBefore) {
        return access.with(handle -> handle.createQuery(countOpen)
                .bind("before", Rows.utc(createdBefore))
                .mapTo(Long.class)
                .one());
    }

    @Override
    public Optional<Purchase> findByPaymentIntentIdForUpdate(String paymentIntentId) {
        return access.with(handle -> handle.createQuery(byPaymentIntentForUpdate)
                .bind("pi", paymentIntentId)
                .bind("user", citus ? userOfPaymentIntent(handle, paymentIntentId) : null)
                .map((rs, ctx) -> Rows.purchase(rs))
                .findOne());
    }

    @Override
    public Optional<Purchase> complete(long purchaseId, Optional<String> chargeId, Instant at) {
        return access.with(handle -> handle.createQuery(complete)
                .bind("id", purchaseId)
                .bind("user", userOf(handle, purchaseId))
                .bind("charge", chargeId.orElse(null))
                .bind("at", Rows.utc(at))
                .map((rs, ctx) -> Rows.purchase(rs))
                .findOne());
    }

    @Override
    public Optional<Purchase> findByChargeId(String chargeId) {
        return access.with(handle -> handle.createQuery(byCharge)
                .bind("charge", chargeId)
                .map((rs, ctx) -> Rows.purchase(rs))
                .findOne());
    }

    @Override
    public void attachCharge(long purchaseId, String chargeId, Instant at) {
        access.with(handle -> handle.createUpdate(attachCharge)
                .bind("id", purchaseId)
                .bind("user", userOf(handle, purchaseId))
                .bind("charge", chargeId)
                .bind("at", Rows.utc(at))
                .execute());
    }

    @Override
    public Optional<Purchase> findByIdForUpdate(long id) {
        return access.with(handle -> handle.createQuery(byIdForUpdate)
                .bind("id", id)
                .bind("user", userOf(handle, id))
                .map((rs, ctx) -> Rows.purchase(rs))
                .findOne());
    }

    @Override
    public Purchase recordReversal(
            long purchaseId,
            PurchaseStatus status,
            long amountRefundedMinor,
            long tokensReversed,
            long reversalShortfall,
            long tokensDisputed,
            Instant at) {
        return access.with(handle -> handle.createQuery(recordReversal)
                .bind("id", purchaseId)
                .bind("user", userOf(handle, purchaseId))
                .bind("status", status.wireName())
                .bind("refunded", amountRefundedMinor)
                .bind("reversed", tokensReversed)
                .bind("shortfall", reversalShortfall)
                .bind("disputed", tokensDisputed)
                .bind("at", Rows.utc(at))
                .map((rs, ctx) -> Rows.purchase(rs))
                .one());
    }

    @Override
    public List<Purchase> leaseStuck(
            Instant createdBefore, Instant now, int limit, Duration backoffBase, Duration backoffMax) {
        if (!citus) {
            return access.with(handle -> handle.createQuery(leaseStuck)
                    .bind("before", Rows.utc(createdBefore))
                    .bind("now", Rows.utc(now))
                    .bind("limit", limit)
                    .bind("baseSeconds", (double) backoffBase.toMillis() / 1000)
                    .bind("maxSeconds", (double) backoffMax.toMillis() / 1000)
                    .map((rs, ctx) -> Rows.purchase(rs))
                    .list());
        }
        record Candidate(String user, long id, int attempts) {}
        List<Candidate> candidates = access.with(handle -> handle.createQuery(stuckCandidates)
                .bind("before", Rows.utc(createdBefore))
                .bind("now", Rows.utc(now))
                .bind("limit", limit)
                .map((rs, ctx) -> new Candidate(rs.getString("user_id"), rs.getLong("id"), rs.getInt("check_attempts")))
                .list());
        List<Purchase> leased = access.leaseEach(candidates, (handle, candidate) -> {
            Duration backoff = backoffBase.multipliedBy(1L << Math.min(candidate.attempts(), 30));
            Instant next = now.plus(backoff.compareTo(backoffMax) > 0 ? backoffMax : backoff);
            return handle.createQuery(leaseStuck)
                    .bind("user", candidate.user())
                    .bind("id", candidate.id())
                    .bind("attempts", candidate.attempts())
                    .bind("next", Rows.utc(next))
                    .bind("before", Rows.utc(createdBefore))
                    .bind("now", Rows.utc(now))
                    .map((rs, ctx) -> Rows.purchase(rs))
                    .findOne();
        });
        return leased;
    }

    /** The purchase's user, on Citus (where statements that lock or change it must name it); else null. */
    private String userOf(org.jdbi.v3.core.Handle handle, long purchaseId) {
        if (!citus) {
            return null;
        }
        // A purchase never changes hands: an absent one gets a user no purchase has, and matches nothing.
        return owners.of(
                        purchaseId,
                        () -> handle.createQuery(userOfPurchase)
                                .bind("id", purchaseId)
                                .mapTo(String.class)
                                .findOne())
                .orElse("");
    }

    private String userOfPaymentIntent(org.jdbi.v3.core.Handle handle, String paymentIntentId) {
        return handle.createQuery(userOfPaymentIntent)
                .bind("pi", paymentIntentId)
                .mapTo(String.class)
                .findFirst()
                .orElse("");
    }

    @Override
    public Optional<Purchase> transition(
            long purchaseId,
            Set<PurchaseStatus> from,
            PurchaseStatus target,
            Optional<String> failureCode,
            Optional<String> failureMessage,
            Instant at) {
        String[] sources = from.stream().map(PurchaseStatus::wireName).toArray(String[]::new);
        return access.with(handle -> handle.createQuery(transition)
                .bind("id", purchaseId)
                .bind("user", userOf(handle, purchaseId))
                .bind("target", target.wireName())
                .bind("sources", sources)
                .bind("failureCode", failureCode.orElse(null))
                .bind("failureMessage", failureMessage.orElse(null))
                .bind("at", Rows.utc(at))
                .map((rs, ctx) -> Rows.purchase(rs))
                .findOne());
    }

    @Override
    public Optional<PurchaseReversal> findReversal(UserId userId, String stripeId) {
        return access.with(handle -> handle.createQuery(findReversal)
                .bind("user", userId.value())
                .bind("stripeId", stripeId)
                .map((rs, ctx) -> reversal(rs))
                .findOne());
    }

    @Override
    public List<PurchaseReversal> reversals(UserId userId, long purchaseId) {
        return access.with(handle -> handle.createQuery(reversalsOfPurchase)
                .bind("user", userId.value())
                .bind("purchaseId", purchaseId)
                .map((rs, ctx) -> reversal(rs))
                .list());
    }

    private static PurchaseReversal reversal(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new PurchaseReversal(
                UserId.of(rs.getString("user_id")),
                rs.getString("stripe_id"),
                rs.getLong("purchase_id"),
                PurchaseReversal.Kind.valueOf(rs.getString("kind").toUpperCase(java.util.Locale.ROOT)),
                rs.getString("status"),
                rs.getLong("amount_minor"),
                rs.getLong("tokens_reversed"),
                Rows.instant(rs, "created_at"),
                Rows.instant(rs, "updated_at"));
    }

    @Override
    public void saveReversal(PurchaseReversal reversal) {
        access.with(handle -> handle.createUpdate(saveReversal)
                .bind("user", reversal.userId().value())
                .bind("stripeId", reversal.stripeId())
                .bind("purchaseId", reversal.purchaseId())
                .bind("kind", reversal.kind().wireName())
                .bind("status", reversal.status())
                .bind("amount", reversal.amountMinor())
                .bind("tokens", reversal.tokensReversed())
                .bind("createdAt", Rows.utc(reversal.createdAt()))
                .bind("updatedAt", Rows.utc(reversal.updatedAt()))
                .execute());
    }
}
