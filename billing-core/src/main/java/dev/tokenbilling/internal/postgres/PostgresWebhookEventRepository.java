package dev.tokenbilling.internal.postgres;

import dev.tokenbilling.model.WebhookEventQuery;
import dev.tokenbilling.model.WebhookEventRecord;
import dev.tokenbilling.model.WebhookEventStatus;
import dev.tokenbilling.store.WebhookEventRepository;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.statement.Update;

/** Stored Stripe events on PostgreSQL. */
final class PostgresWebhookEventRepository implements WebhookEventRepository {

    private static final String COLUMNS =
            "id, type, api_version, livemode, object_id, payload, status, attempts, processing_error,"
                    + " next_attempt_at, received_at, processed_at";

    private final HandleAccess access;
    private final String insert;
    private final String insertDone;
    private final String byId;
    private final String byIdForUpdate;
    private final String markDone;
    private final String markFailed;
    private final String find;
    private final String storedIds;
    private final String leaseRetryable;
    private final String count;
    private final boolean citus;
    private final String retryCandidates;
    private final String leaseOne;

    /** On Citus ({@code citus}) a lease picks the due events first, then locks each on its shard. */
    PostgresWebhookEventRepository(HandleAccess access, SchemaName schema, boolean citus) {
        this.access = access;
        this.citus = citus;
        String select = "SELECT " + COLUMNS + " FROM {schema}.webhook_event ";
        // A stored event is due for a retry a minute after it arrived: if the process that stored it
        // crashed before processing it, the reconciler picks it up; processing it first makes it done.
        insert = schema.render(
                "INSERT INTO {schema}.webhook_event (id, type, api_version, livemode, object_id, payload, status, received_at,"
                        + " next_attempt_at) VALUES (:id, :type, :apiVersion, :livemode, :objectId, :payload, 'received', :at,"
                        + " CAST(:at AS timestamptz) + interval '1 minute') ON CONFLICT (id) DO NOTHING");
        insertDone = schema.render(
                "INSERT INTO {schema}.webhook_event (id, type, api_version, livemode, object_id, payload, status, attempts,"
                        + " received_at, processed_at) VALUES (:id, :type, :apiVersion, :livemode, :objectId, :payload, :status, 1,"
                        + " :receivedAt, :at) ON CONFLICT (id) DO NOTHING");
        byId = schema.render(select + "WHERE id = :id");
        byIdForUpdate = schema.render(select + "WHERE id = :id FOR UPDATE");
        markDone = schema.render(
                "UPDATE {schema}.webhook_event SET status = :status, attempts = attempts + 1, processing_error = NULL,"
                        + " next_attempt_at = NULL, processed_at = :at WHERE id = :id");
        markFailed = schema.render(
                "UPDATE {schema}.webhook_event SET status = 'failed', attempts = attempts + 1, processing_error = :error,"
                        + " next_attempt_at = :next WHERE id = :id AND status NOT IN ('processed', 'ignored')");
        find = schema.render(select
                + "WHERE (cardinality(CAST(:statuses AS text[])) = 0 OR status = ANY(CAST(:statuses AS text[])))"
                + " AND (CAST(:type AS text) IS NULL OR type = :type)"
                + " AND (CAST(:since AS timestamptz) IS NULL OR received_at >= :since)"
                + " ORDER BY received_at DESC, id LIMIT :limit");
        storedIds = schema.render("SELECT id FROM {schema}.webhook_event WHERE id = ANY(CAST(:ids AS text[]))");
        leaseRetryable = schema.render(
                "UPDATE {schema}.webhook_event SET next_attempt_at = CAST(:now AS timestamptz) + make_interval(secs => :leaseSeconds)"
                        + " WHERE id IN (SELECT id FROM {schema}.webhook_event WHERE status IN ('received', 'failed')"
                        + "   AND next_attempt_at <= :now AND attempts < :maxAttempts ORDER BY next_attempt_at LIMIT :limit FOR UPDATE SKIP LOCKED)"
                        + " RETURNING " + COLUMNS);
        count = schema.render("SELECT count(*) FROM {schema}.webhook_event WHERE status = :status");
        String due = "status IN ('received', 'failed') AND next_attempt_at <= :now AND attempts < :maxAttempts";
        retryCandidates = schema.render(
                "SELECT id FROM {schema}.webhook_event WHERE " + due + " ORDER BY next_attempt_at LIMIT :limit");
        leaseOne = schema.render("UPDATE {schema}.webhook_event SET next_attempt_at = :until WHERE id = :id"
                + " AND id IN (SELECT id FROM {schema}.webhook_event WHERE id = :id AND " + due
                + " FOR UPDATE SKIP LOCKED) RETURNING " + COLUMNS);
    }

    @Override
    public boolean insertIfAbsent(NewWebhookEvent event) {
        return access.with(handle -> bindEvent(handle.createUpdate(insert), event)
                        .bind("at", Rows.utc(event.receivedAt()))
                        .execute())
                == 1;
    }

    @Override
    public boolean insertDoneIfAbsent(NewWebhookEvent event, WebhookEventStatus status, Instant at) {
        if (!status.done()) {
            throw new IllegalArgumentException("not a done status: " + status);
        }
        return access.with(handle -> bindEvent(handle.createUpdate(insertDone), event)
                        .bind("status", status.wireName())
                        .bind("receivedAt", Rows.utc(event.receivedAt()))
                        .bind("at", Rows.utc(at))
                        .execute())
                == 1;
    }

    /** Binds what both inserts store of an arriving event (its receipt time is bound by each). */
    private static Update bindEvent(Update insert, NewWebhookEvent event) {
        return insert.bind("id", event.id())
                .bind("type", event.type())
                .bind("apiVersion", event.apiVersion().orElse(null))
                .bind("livemode", event.livemode())
                .bind("objectId", event.objectId().orElse(null))
                .bind("payload", event.payload());
    }

    @Override
    public Optional<WebhookEventRecord> findById(String id) {
        return access.with(handle -> handle.createQuery(byId)
                .bind("id", id)
                .map((rs, ctx) -> event(rs))
                .findOne());
    }

    @Override
    public Optional<WebhookEventRecord> findByIdForUpdate(String id) {
        return access.with(handle -> handle.createQuery(byIdForUpdate)
                .bind("id", id)
                .map((rs, ctx) -> event(rs))
                .findOne());
    }

    @Override
    public void markDone(String id, WebhookEventStatus status, Instant at) {
        access.with(handle -> handle.createUpdate(markDone)
                .bind("id", id)
                .bind("status", status.wireName())
                .bind("at", Rows.utc(at))
                .execute());
    }

    @Override
    public void markFailed(String id, String error, Optional<Instant> nextAttemptAt, Instant at) {
        access.with(handle -> handle.createUpdate(markFailed)
                .bind("id", id)
                .bind("error", error)
                .bind("next", nextAttemptAt.map(Rows::utc).orElse(null))
                .execute());
    }

    @Override
    public List<WebhookEventRecord> find(WebhookEventQuery query) {
        String[] statuses = query.statuses().stream()
                .map(WebhookEventStatus::wireName)
                .sorted()
                .toArray(String[]::new);
        return access.with(handle -> handle.createQuery(find)
                .bind("statuses", statuses)
                .bind("type", query.type().orElse(null))
                .bind("since", query.receivedSince().map(Rows::utc).orElse(null))
                .bind("limit", query.limit())
                .map((rs, ctx) -> event(rs))
                .list());
    }

    @Override
    public Set<String> storedIds(Collection<String> ids) {
        if (ids.isEmpty()) {
            return Set.of();
        }
        return access.with(handle -> new HashSet<>(handle.createQuery(storedIds)
                .bind("ids", ids.toArray(String[]::new))
                .mapTo(String.class)
                .list()));
    }

    @Override
    public List<WebhookEventRecord> leaseRetryable(Instant now, int maxAttempts, int limit, Duration lease) {
        if (citus) {
            List<String> candidates = access.with(handle -> handle.createQuery(retryCandidates)
                    .bind("now", Rows.utc(now))
                    .bind("maxAttempts", maxAttempts)
                    .bind("limit", limit)
                    .mapTo(String.class)
                    .list());
            List<WebhookEventRecord> leased = access.leaseEach(
                    candidates,
                    (handle, id) -> handle.createQuery(leaseOne)
                            .bind("id", id)
                            .bind("now", Rows.utc(now))
                            .bind("until", Rows.utc(now.plus(lease)))
                            .bind("maxAttempts", maxAttempts)
                            .map((rs, ctx) -> event(rs))
                            .findOne());
            return leased;
        }
        return access.with(handle -> handle.createQuery(leaseRetryable)
                .bind("now", Rows.utc(now))
                .bind("leaseSeconds", (double) lease.toMillis() / 1000)
                .bind("maxAttempts", maxAttempts)
                .bind("limit", limit)
                .map((rs, ctx) -> event(rs))
                .list());
    }

    @Override
    public long count(WebhookEventStatus status) {
        return access.with(handle -> handle.createQuery(count)
                .bind("status", status.wireName())
                .mapTo(Long.class)
                .one());
    }

    private static WebhookEventRecord event(ResultSet rs) throws SQLException {
        return new WebhookEventRecord(
                rs.getString("id"),
                rs.getString("type"),
                Rows.optionalString(rs, "api_version"),
                rs.getBoolean("livemode"),
                Rows.optionalString(rs, "object_id"),
                rs.getString("payload"),
                WebhookEventStatus.fromWireName(rs.getString("status")),
                rs.getInt("attempts"),
                Rows.optionalString(rs, "processing_error"),
                Optional.ofNullable(Rows.instant(rs, "next_attempt_at")),
                Rows.instant(rs, "received_at"),
                Optional.ofNullable(Rows.instant(rs, "processed_at")));
    }
}
