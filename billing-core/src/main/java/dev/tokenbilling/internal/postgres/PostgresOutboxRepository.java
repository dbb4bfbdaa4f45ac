package dev.tokenbilling.internal.postgres;

import dev.tokenbilling.model.BillingEvent;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.store.OutboxRepository;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The billing event outbox on PostgreSQL. */
final class PostgresOutboxRepository implements OutboxRepository {

    private static final String COLUMNS =
            "user_id, id, type, payload, created_at, attempts, next_attempt_at, last_error, delivered_at";

    /** The statements, rendered once per store. */
    record Statements(
            String append,
            String leaseDue,
            String markDelivered,
            String markFailed,
            String list,
            String redeliver,
            String setThreshold,
            String threshold,
            String leaseCandidates,
            String leaseOne) {

        /** A user's event is due when it waits for delivery and no older one of the user does. */
        private static final String DUE = "p.delivered_at IS NULL AND p.next_attempt_at <= :now"
                + " AND NOT EXISTS (SELECT 1 FROM {schema}.billing_event q"
                + " WHERE q.user_id = p.user_id AND q.delivered_at IS NULL AND q.id < p.id)";

        static Statements of(SchemaName schema) {
            return new Statements(
                    schema.render(
                            "INSERT INTO {schema}.billing_event (user_id, type, payload, created_at, next_attempt_at)"
                                    + " VALUES (:user, :type, :payload, :at, :at) RETURNING " + COLUMNS),
                    // Each user's oldest pending event only, so a user's events go out in order; SKIP
                    // LOCKED keeps racing deliveries apart.
                    schema.render(
                            "UPDATE {schema}.billing_event e SET attempts = e.attempts + 1, next_attempt_at = :leaseUntil"
                                    + " WHERE (e.user_id, e.id) IN (SELECT p.user_id, p.id FROM {schema}.billing_event p"
                                    + " WHERE p.delivered_at IS NULL AND p.next_attempt_at <= :now"
                                    + " AND NOT EXISTS (SELECT 1 FROM {schema}.billing_event q"
                                    + " WHERE q.user_id = p.user_id AND q.delivered_at IS NULL AND q.id < p.id)"
                                    + " ORDER BY p.next_attempt_at, p.id LIMIT :limit FOR UPDATE SKIP LOCKED)"
                                    + " RETURNING " + COLUMNS),
                    schema.render("UPDATE {schema}.billing_event SET delivered_at = :at, last_error = NULL"
                            + " WHERE user_id = :user AND id = :id AND delivered_at IS NULL"),
                    schema.render("UPDATE {schema}.billing_event SET last_error = :error, next_attempt_at = :next"
                            + " WHERE user_id = :user AND id = :id AND delivered_at IS NULL"),
                    schema.render("SELECT " + COLUMNS + " FROM {schema}.billing_event"
                            + " WHERE (CAST(:user AS text) IS NULL OR user_id = :user)"
                            + " AND (CAST(:delivered AS boolean) IS NULL OR (delivered_at IS NOT NULL) = :delivered)"
                            + " ORDER BY id DESC LIMIT :limit"),
                    schema.render(
                            "UPDATE {schema}.billing_event SET delivered_at = NULL, attempts = 0, last_error = NULL,"
                                    + " next_attempt_at = :at WHERE user_id = :user AND id = :id"),
                    schema.render(
                            "INSERT INTO {schema}.token_balance (user_id, low_balance_below, created_at, updated_at)"
                                    + " VALUES (:user, CAST(:threshold AS bigint), :at, :at) ON CONFLICT (user_id) DO UPDATE"
                                    + " SET low_balance_below = EXCLUDED.low_balance_below"),
                    schema.render("SELECT low_balance_below FROM {schema}.token_balance WHERE user_id = :user"),
                    // On Citus (no row lock may span shards): the due events first, then each leased on its shard.
                    schema.render("SELECT p.user_id, p.id FROM {schema}.billing_event p WHERE " + DUE
                            + " ORDER BY p.next_attempt_at, p.id LIMIT :limit"),
                    schema.render(
                            "UPDATE {schema}.billing_event e SET attempts = e.attempts + 1, next_attempt_at = :leaseUntil"
                                    + " WHERE e.user_id = :user AND e.id IN (SELECT p.id FROM {schema}.billing_event p"
                                    + " WHERE p.user_id = :user AND p.id = :id AND " + DUE + " FOR UPDATE SKIP LOCKED)"
                                    + " RETURNING " + COLUMNS));
        }
    }

    private final HandleAccess access;
    private final Statements sql;
    private final boolean citus;

    PostgresOutboxRepository(HandleAccess access, Statements sql, boolean citus) {
        this.access = access;
        this.sql = sql;
        this.citus = citus;
    }

    @Override
    public BillingEvent append(UserId userId, String type, String payloadJson, Instant at) {
        return access.with(handle -> handle.createQuery(sql.append())
                .bind("user", userId.value())
                .bind("type", type)
                .bind("payload", payloadJson)
                .bind("at", Rows.utc(at))
                .map((rs, ctx) -> event(rs))
                .one());
    }

    @Override
    public List<BillingEvent> leaseDue(Instant now, Instant leaseUntil, int limit) {
        if (citus) {
            List<Rows.UserRow> candidates = access.with(handle -> handle.createQuery(sql.leaseCandidates())
                    .bind("now", Rows.utc(now))
                    .bind("limit", limit)
                    .map((rs, ctx) -> new Rows.UserRow(rs.getString("user_id"), rs.getLong("id")))
                    .list());
            List<BillingEvent> leased = new java.util.ArrayList<>(access.leaseEach(
                    candidates,
                    (handle, candidate) -> handle.createQuery(sql.leaseOne())
                            .bind("user", candidate.user())
                            .bind("id", candidate.id())
                            .bind("now", Rows.utc(now))
                            .bind("leaseUntil", Rows.utc(leaseUntil))
                            .map((rs, ctx) -> event(rs))
                            .findOne()));
            leased.sort(java.util.Comparator.comparingLong(BillingEvent::id));
            return leased;
        }
        return access.with(handle -> handle
                .createQuery(sql.leaseDue())
                .bind("now", Rows.utc(now))
                .bind("leaseUntil", Rows.utc(leaseUntil))
                .bind("limit", limit)
                .map((rs, ctx) -> event(rs))
                .list()
                .stream()
                .sorted(java.util.Comparator.comparingLong(BillingEvent::id))
                .toList());
    }

    @Override
    public void markDelivered(UserId userId, long id, Instant at) {
        access.with(handle -> handle.createUpdate(sql.markDelivered())
                .bind("user", userId.value())
                .bind("id", id)
                .bind("at", Rows.utc(at))
                .execute());
    }

    @Override
    public void markFailed(UserId userId, long id, String error, Instant nextAttemptAt) {
        access.with(handle -> handle.createUpdate(sql.markFailed())
                .bind("user", userId.value())
                .bind("id", id)
                .bind("error", error)
                .bind("next", Rows.utc(nextAttemptAt))
                .execute());
    }

    @Override
    public List<BillingEvent> list(Optional<UserId> userId, Optional<Boolean> delivered, int limit) {
        return access.with(handle -> handle.createQuery(sql.list())
                .bind("user", userId.map(UserId::value).orElse(null))
                .bind("delivered", delivered.orElse(null))
                .bind("limit", limit)
                .map((rs, ctx) -> event(rs))
                .list());
    }

    @Override
    public boolean redeliver(UserId userId, long id, Instant at) {
        return access.with(handle -> handle.createUpdate(sql.redeliver())
                        .bind("user", userId.value())
                        .bind("id", id)
                        .bind("at", Rows.utc(at))
                        .execute())
                > 0;
    }

    @Override
    public void setLowBalanceThreshold(UserId userId, Optional<Long> threshold, Instant at) {
        access.with(handle -> handle.createUpdate(sql.setThreshold())
                .bind("user", userId.value())
                .bind("threshold", threshold.orElse(null))
                .bind("at", Rows.utc(at))
                .execute());
    }

    @Override
    public Optional<Long> lowBalanceThreshold(UserId userId) {
        return access.with(handle -> handle.createQuery(sql.threshold())
                .bind("user", userId.value())
                .map((rs, ctx) -> Rows.optionalLong(rs, "low_balance_below"))
                .findOne()
                .flatMap(threshold -> threshold));
    }

    private static BillingEvent event(ResultSet rs) throws SQLException {
        return new BillingEvent(
                rs.getLong("id"),
                UserId.of(rs.getString("user_id")),
                rs.getString("type"),
                rs.getString("payload"),
                Rows.instant(rs, "created_at"),
                rs.getInt("attempts"),
                Rows.instant(rs, "next_attempt_at"),
                Rows.optionalString(rs, "last_error"),
                Optional.ofNullable(Rows.instant(rs, "delivered_at")));
    }
}
