package dev.tokenbilling.internal.postgres;

import dev.tokenbilling.error.InvalidRequestException;
import dev.tokenbilling.internal.UtcMonths;
import dev.tokenbilling.model.LedgerEntry;
import dev.tokenbilling.model.Reservation;
import dev.tokenbilling.model.ReservationStatus;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.store.ReservationRepository;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Holds on PostgreSQL, through the reservation_* functions (migrations V2, V10 and V12). */
final class PostgresReservationRepository implements ReservationRepository {

    private final HandleAccess access;
    private final String create;
    /** Prefix of the settlement entry's columns in a finish row, which also holds the hold's. */
    private static final String ENTRY = "e_";

    private static final String ENTRY_COLUMNS = Rows.ledgerColumnsOf("f.r_entry", ENTRY);

    private final String finish;
    private final String byId;
    private final String active;
    private final String expire;

    PostgresReservationRepository(HandleAccess access, SchemaName schema) {
        this.access = access;
        // One round trip each: the functions return the rows they left with their outcome.
        create = schema.render("SELECT f.r_outcome, f.r_available, f.r_limit, f.r_used, f.r_held, (f.r_hold).*"
                + " FROM {schema}.reservation_reserve(:user, :tokens, :key, :description,"
                + " CAST(:expiresAt AS timestamptz), CAST(:at AS timestamptz), true) f");
        finish = schema.render("SELECT f.r_outcome, (f.r_hold).*, " + ENTRY_COLUMNS
                + " FROM {schema}.reservation_end(:user, :id, CAST(:actual AS bigint), :description,"
                + " CAST(:at AS timestamptz), :status) f");
        String select = "SELECT " + Rows.RESERVATION_COLUMNS + " FROM {schema}.token_reservation ";
        byId = schema.render(select + "WHERE user_id = :user AND id = :id");
        active = schema.render(select + "WHERE user_id = :user AND status = 'active' ORDER BY id");
        expire = schema.render("SELECT {schema}.reservation_expire(CAST(:now AS timestamptz), :limit)");
    }

    @Override
    public ReserveResult reserve(
            UserId userId, long tokens, String idempotencyKey, String description, Instant expiresAt, Instant at) {
        return access.with(handle -> handle.createQuery(create)
                .bind("user", userId.value())
                .bind("tokens", tokens)
                .bind("key", idempotencyKey)
                .bind("description", description)
                .bind("expiresAt", Rows.utc(expiresAt))
                .bind("at", Rows.utc(at))
                .map((rs, ctx) -> {
                    String outcome = rs.getString("r_outcome");
                    if (outcome.equals("insufficient")) {
                        return (ReserveResult) new ReserveResult.Insufficient(rs.getLong("r_available"));
                    }
                    if (outcome.equals("limit")) {
                        return new ReserveResult.LimitReached(
                                rs.getLong("r_limit"),
                                rs.getLong("r_used"),
                                rs.getLong("r_held"),
                                UtcMonths.startOfNext(at));
                    }
                    Reservation reservation = Rows.reservation(rs);
                    return outcome.equals("reserved")
                            ? new ReserveResult.Reserved(reservation)
                            : new ReserveResult.Duplicate(reservation);
                })
                .one());
    }

    @Override
    public Finished finish(
            UserId userId,
            long reservationId,
            ReservationStatus ending,
            long actualTokens,
            String description,
            Instant at) {
        if (ending != ReservationStatus.SETTLED && ending != ReservationStatus.RELEASED) {
            throw new IllegalArgumentException("a hold ends settled or released, not " + ending);
        }
        return access.with(handle -> handle.createQuery(finish)
                .bind("user", userId.value())
                .bind("id", reservationId)
                .bind("actual", ending == ReservationStatus.SETTLED ? actualTokens : null)
                .bind("description", description)
                .bind("at", Rows.utc(at))
                .bind("status", ending.wireName())
                .map((rs, ctx) -> {
                    String outcome = rs.getString("r_outcome");
                    if (outcome.equals("unknown")) {
                        return new Finished(
                                new FinishResult(false, ReservationStatus.EXPIRED, Optional.empty()),
                                Optional.empty(),
                                Optional.empty());
                    }
                    Reservation hold = Rows.reservation(rs);
                    if (outcome.equals("too_many")) {
                        throw new InvalidRequestException(
                                "actualTokens",
                                "must be between 0 and the " + hold.amount() + " tokens held, was " + actualTokens);
                    }
                    Optional<LedgerEntry> entry =
                            Rows.optionalLong(rs, ENTRY + "id").isPresent()
                                    ? Optional.of(Rows.ledgerEntry(rs, ENTRY))
                                    : Optional.empty();
                    // The function decides under the row locks whether this call ended the hold.
                    boolean ended = !outcome.startsWith("already_");
                    FinishResult result = new FinishResult(
                            ended,
                            ReservationStatus.fromWireName(outcome.replace("already_", "")),
                            entry.map(LedgerEntry::id));
                    return new Finished(result, Optional.of(hold), entry);
                })
                .one());
    }

    @Override
    public Optional<Reservation> findById(UserId userId, long reservationId) {
        return access.with(handle -> handle.createQuery(byId)
                .bind("user", userId.value())
                .bind("id", reservationId)
                .map((rs, c) -> Rows.reservation(rs))
                .findOne());
    }

    @Override
    public List<Reservation> active(UserId userId) {
        return access.with(handle -> handle.createQuery(active)
                .bind("user", userId.value())
                .map((rs, c) -> Rows.reservation(rs))
                .list());
    }

    @Override
    public int expire(Instant now, int limit) {
        return access.with(handle -> handle.createQuery(expire)
                .bind("now", Rows.utc(now))
                .bind("limit", limit)
                .mapTo(Integer.class)
                .one());
    }
}
