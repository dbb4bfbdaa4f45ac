package dev.tokenbilling.internal.postgres;

import dev.tokenbilling.model.RechargeAttempt;
import dev.tokenbilling.model.RechargeRule;
import dev.tokenbilling.model.RechargeStatus;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.store.RechargeRepository;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Auto-recharge rules and attempts on PostgreSQL. */
final class PostgresRechargeRepository implements RechargeRepository {

    private static final String RULE_COLUMNS = "r.user_id, p.slug AS package_slug, r.threshold, r.payment_method_id,"
            + " r.max_per_month, r.max_amount_per_month, r.max_failures, r.enabled, r.paused_reason, r.failures,"
            + " r.created_at, r.updated_at";
    private static final String ATTEMPT_COLUMNS = "user_id, id, status, tries, available_at_start, purchase_id,"
            + " payment_intent_id, reason, next_attempt_at, created_at, updated_at";
    /** Mirrors a rule's threshold on the balance row while it runs, so that crossings see it. */
    private static final String MIRROR = ", mirrored AS (INSERT INTO {schema}.token_balance (user_id, recharge_below,"
            + " created_at, updated_at) SELECT user_id, CASE WHEN enabled AND paused_reason IS NULL THEN threshold END,"
            + " :at, :at FROM saved ON CONFLICT (user_id) DO UPDATE SET recharge_below = EXCLUDED.recharge_below)";

    /** The statements, rendered once per store. */
    record Statements(
            String saveRule,
            String findRule,
            String setPaused,
            String countFailure,
            String resetFailures,
            String deleteRule,
            String rules,
            String leaseDue,
            String attachPurchase,
            String clearPurchase,
            String update,
            String byPurchase,
            String attempts,
            String usage,
            String leaseCandidates,
            String leaseOne) {

        /** Pending and due, or taken by a worker that stopped updating it (a crash). */
        private static final String DUE = "(d.status = 'pending' AND d.next_attempt_at <= :now)"
                + " OR (d.status = 'processing' AND d.updated_at < :staleBefore)";

        static Statements of(SchemaName schema) {
            String selectRule = "SELECT " + RULE_COLUMNS
                    + " FROM {schema}.recharge_rule r JOIN {schema}.token_package p ON p.id = r.package_id ";
            String returningRule =
                    " SELECT " + RULE_COLUMNS + " FROM saved r JOIN {schema}.token_package p ON p.id = r.package_id";
            return new Statements(
                    schema.render("WITH saved AS (INSERT INTO {schema}.recharge_rule (user_id, package_id, threshold,"
                            + " payment_method_id, max_per_month, max_amount_per_month, max_failures, enabled, paused_reason,"
                            + " failures, created_at, updated_at) VALUES (:user, :packageId, :threshold, :paymentMethod,"
                            + " :maxPerMonth, :maxAmount, :maxFailures, :enabled, NULL, 0, :at, :at)"
                            + " ON CONFLICT (user_id) DO UPDATE SET package_id = EXCLUDED.package_id,"
                            + " threshold = EXCLUDED.threshold, payment_method_id = EXCLUDED.payment_method_id,"
                            + " max_per_month = EXCLUDED.max_per_month, max_amount_per_month = EXCLUDED.max_amount_per_month,"
                            + " max_failures = EXCLUDED.max_failures, enabled = EXCLUDED.enabled, paused_reason = NULL,"
                            + " failures = 0, updated_at = EXCLUDED.updated_at RETURNING *)" + MIRROR + returningRule),
                    schema.render(selectRule + "WHERE r.user_id = :user"),
                    schema.render(
                            "WITH saved AS (UPDATE {schema}.recharge_rule SET paused_reason = CAST(:reason AS text),"
                                    + " failures = CASE WHEN CAST(:reason AS text) IS NULL THEN 0 ELSE failures END, updated_at = :at"
                                    + " WHERE user_id = :user RETURNING *)" + MIRROR + returningRule),
                    schema.render(
                            "WITH saved AS (UPDATE {schema}.recharge_rule SET failures = failures + 1, updated_at = :at"
                                    + " WHERE user_id = :user RETURNING *)" + returningRule),
                    schema.render(
                            "UPDATE {schema}.recharge_rule SET failures = 0, updated_at = :at WHERE user_id = :user"),
                    schema.render(
                            "WITH gone AS (DELETE FROM {schema}.recharge_rule WHERE user_id = :user RETURNING user_id)"
                                    + " UPDATE {schema}.token_balance b SET recharge_below = NULL FROM gone WHERE b.user_id = gone.user_id"
                                    + " RETURNING b.user_id"),
                    schema.render(selectRule + "WHERE (NOT CAST(:pausedOnly AS boolean) OR r.paused_reason IS NOT NULL)"
                            + " ORDER BY r.user_id LIMIT :limit"),
                    schema.render("UPDATE {schema}.recharge_attempt a SET status = 'processing', updated_at = :now"
                            + " WHERE (a.user_id, a.id) IN (SELECT d.user_id, d.id FROM {schema}.recharge_attempt d"
                            + " WHERE (d.status = 'pending' AND d.next_attempt_at <= :now)"
                            + " OR (d.status = 'processing' AND d.updated_at < :staleBefore)"
                            + " ORDER BY d.next_attempt_at, d.id LIMIT :limit FOR UPDATE SKIP LOCKED)"
                            + " RETURNING " + ATTEMPT_COLUMNS),
                    schema.render("UPDATE {schema}.recharge_attempt SET purchase_id = coalesce(purchase_id, :purchase),"
                            + " updated_at = :at WHERE user_id = :user AND id = :id RETURNING " + ATTEMPT_COLUMNS),
                    schema.render(
                            "UPDATE {schema}.recharge_attempt SET purchase_id = NULL WHERE user_id = :user AND id = :id"),
                    schema.render(
                            "UPDATE {schema}.recharge_attempt SET status = :status, reason = CAST(:reason AS text),"
                                    + " payment_intent_id = coalesce(CAST(:paymentIntent AS text), payment_intent_id),"
                                    + " next_attempt_at = :next, tries = tries + CASE WHEN :declined THEN 1 ELSE 0 END,"
                                    + " updated_at = :at WHERE user_id = :user AND id = :id RETURNING "
                                    + ATTEMPT_COLUMNS),
                    schema.render("SELECT " + ATTEMPT_COLUMNS + " FROM {schema}.recharge_attempt"
                            + " WHERE user_id = :user AND purchase_id = :purchase"),
                    schema.render("SELECT " + ATTEMPT_COLUMNS + " FROM {schema}.recharge_attempt WHERE user_id = :user"
                            + " ORDER BY id DESC LIMIT :limit"),
                    schema.render("SELECT count(*) AS n, coalesce(sum(p.amount_minor), 0) AS amount"
                            + " FROM {schema}.recharge_attempt a JOIN {schema}.token_purchase p"
                            + " ON p.user_id = a.user_id AND p.id = a.purchase_id"
                            + " WHERE a.user_id = :user AND a.created_at >= :since"
                            + " AND a.status IN ('succeeded', 'processing', 'requires_action')"),
                    // On Citus (no row lock may span shards): the due attempts first, then each leased on its shard.
                    schema.render("SELECT d.user_id, d.id FROM {schema}.recharge_attempt d WHERE " + DUE
                            + " ORDER BY d.next_attempt_at, d.id LIMIT :limit"),
                    schema.render("UPDATE {schema}.recharge_attempt a SET status = 'processing', updated_at = :now"
                            + " WHERE a.user_id = :user AND a.id IN (SELECT d.id FROM {schema}.recharge_attempt d"
                            + " WHERE d.user_id = :user AND d.id = :id AND (" + DUE + ") FOR UPDATE SKIP LOCKED)"
                            + " RETURNING " + ATTEMPT_COLUMNS));
        }
    }

    private final HandleAccess access;
    private final Statements sql;
    private final boolean citus;

    PostgresRechargeRepository(HandleAccess access, Statements sql, boolean citus) {
        this.access = access;
        this.sql = sql;
        this.citus = citus;
    }

    @Override
    public RechargeRule saveRule(UserId userId, RuleChange change, Instant at) {
        return access.with(handle -> handle.createQuery(sql.saveRule())
                .bind("user", userId.value())
                .bind("packageId", change.packageId())
                .bind("threshold", change.threshold())
                .bind("paymentMethod", change.paymentMethodId())
                .bind("maxPerMonth", change.maxPerMonth())
                .bind("maxAmount", change.maxAmountPerMonth())
                .bind("maxFailures", change.maxFailures())
                .bind("enabled", change.enabled())
                .bind("at", Rows.utc(at))
                .map((rs, ctx) -> rule(rs))
                .one());
    }

    @Override
    public Optional<RechargeRule> findRule(UserId userId) {
        return access.with(handle -> handle.createQuery(sql.findRule())
                .bind("user", userId.value())
                .map((rs, ctx) -> rule(rs))
                .findOne());
    }

    @Override
    public Optional<RechargeRule> setPaused(UserId userId, Optional<String> reason, Instant at) {
        return access.with(handle -> handle.createQuery(sql.setPaused())
                .bind("user", userId.value())
                .bind("reason", reason.orElse(null))
                .bind("at", Rows.utc(at))
                .map((rs, ctx) -> rule(rs))
                .findOne());
    }

    @Override
    public Optional<RechargeRule> countFailure(UserId userId, Instant at) {
        return access.with(handle -> handle.createQuery(sql.countFailure())
                .bind("user", userId.value())
                .bind("at", Rows.utc(at))
                .map((rs, ctx) -> rule(rs))
                .findOne());
    }

    @Override
    public void resetFailures(UserId userId, Instant at) {
        access.with(handle -> handle.createUpdate(sql.resetFailures())
                .bind("user", userId.value())
                .bind("at", Rows.utc(at))
                .execute());
    }

    @Override
    public boolean deleteRule(UserId userId) {
        return access.with(handle -> handle.createQuery(sql.deleteRule())
                                .bind("user", userId.value())
                                .mapTo(String.class)
                                .list())
                        .size()
                > 0;
    }

    @Override
    public List<RechargeRule> rules(boolean pausedOnly, int limit) {
        return access.with(handle -> handle.createQuery(sql.rules())
                .bind("pausedOnly", pausedOnly)
                .bind("limit", limit)
                .map((rs, ctx) -> rule(rs))
                .list());
    }

    @Override
    public List<RechargeAttempt> leaseDue(Instant now, Instant staleBefore, int limit) {
        if (citus) {
            List<Rows.UserRow> candidates = access.with(handle -> handle.createQuery(sql.leaseCandidates())
                    .bind("now", Rows.utc(now))
                    .bind("staleBefore", Rows.utc(staleBefore))
                    .bind("limit", limit)
                    .map((rs, ctx) -> new Rows.UserRow(rs.getString("user_id"), rs.getLong("id")))
                    .list());
            List<RechargeAttempt> leased = access.leaseEach(
                    candidates,
                    (handle, candidate) -> handle.createQuery(sql.leaseOne())
                            .bind("user", candidate.user())
                            .bind("id", candidate.id())
                            .bind("now", Rows.utc(now))
                            .bind("staleBefore", Rows.utc(staleBefore))
                            .map((rs, ctx) -> attempt(rs))
                            .findOne());
            return leased;
        }
        return access.with(handle -> handle.createQuery(sql.leaseDue())
                .bind("now", Rows.utc(now))
                .bind("staleBefore", Rows.utc(staleBefore))
                .bind("limit", limit)
                .map((rs, ctx) -> attempt(rs))
                .list());
    }

    @Override
    public RechargeAttempt attachPurchase(UserId userId, long attemptId, long purchaseId, Instant at) {
        return access.with(handle -> handle.createQuery(sql.attachPurchase())
                .bind("user", userId.value())
                .bind("id", attemptId)
                .bind("purchase", purchaseId)
                .bind("at", Rows.utc(at))
                .map((rs, ctx) -> attempt(rs))
                .one());
    }

    @Override
    public void clearPurchase(UserId userId, long attemptId) {
        access.with(handle -> handle.createUpdate(sql.clearPurchase())
                .bind("user", userId.value())
                .bind("id", attemptId)
                .execute());
    }

    @Override
    public RechargeAttempt update(
            UserId userId,
            long attemptId,
            RechargeStatus status,
            Optional<String> reason,
            Optional<String> paymentIntentId,
            Instant nextAttemptAt,
            boolean declined,
            Instant at) {
        return access.with(handle -> handle.createQuery(sql.update())
                .bind("user", userId.value())
                .bind("id", attemptId)
                .bind("status", status.wireName())
                .bind("reason", reason.orElse(null))
                .bind("paymentIntent", paymentIntentId.orElse(null))
                .bind("next", Rows.utc(nextAttemptAt))
                .bind("declined", declined)
                .bind("at", Rows.utc(at))
                .map((rs, ctx) -> attempt(rs))
                .one());
    }

    @Override
    public Optional<RechargeAttempt> findByPurchase(UserId userId, long purchaseId) {
        return access.with(handle -> handle.createQuery(sql.byPurchase())
                .bind("user", userId.value())
                .bind("purchase", purchaseId)
                .map((rs, ctx) -> attempt(rs))
                .findOne());
    }

    @Override
    public List<RechargeAttempt> attempts(UserId userId, int limit) {
        return access.with(handle -> handle.createQuery(sql.attempts())
                .bind("user", userId.value())
                .bind("limit", limit)
                .map((rs, ctx) -> attempt(rs))
                .list());
    }

    @Override
    public MonthUsage usageSince(UserId userId, Instant since) {
        return access.with(handle -> handle.createQuery(sql.usage())
                .bind("user", userId.value())
                .bind("since", Rows.utc(since))
                .map((rs, ctx) -> new MonthUsage(rs.getInt("n"), rs.getLong("amount")))
                .one());
    }

    private static RechargeRule rule(ResultSet rs) throws SQLException {
        return new RechargeRule(
                UserId.of(rs.getString("user_id")),
                rs.getString("package_slug"),
                rs.getLong("threshold"),
                rs.getString("payment_method_id"),
                rs.getInt("max_per_month"),
                rs.getLong("max_amount_per_month"),
                rs.getInt("max_failures"),
                rs.getBoolean("enabled"),
                Rows.optionalString(rs, "paused_reason"),
                rs.getInt("failures"),
                Rows.instant(rs, "created_at"),
                Rows.instant(rs, "updated_at"));
    }

    private static RechargeAttempt attempt(ResultSet rs) throws SQLException {
        return new RechargeAttempt(
                UserId.of(rs.getString("user_id")),
                rs.getLong("id"),
                RechargeStatus.fromWireName(rs.getString("status")),
                rs.getInt("tries"),
                rs.getLong("available_at_start"),
                Rows.optionalLong(rs, "purchase_id"),
                Rows.optionalString(rs, "payment_intent_id"),
                Rows.optionalString(rs, "reason"),
                Rows.instant(rs, "next_attempt_at"),
                Rows.instant(rs, "created_at"),
                Rows.instant(rs, "updated_at"));
    }
}
