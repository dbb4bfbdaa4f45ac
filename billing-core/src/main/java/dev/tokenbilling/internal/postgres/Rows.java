package dev.tokenbilling.internal.postgres;

import dev.tokenbilling.model.LedgerEntry;
import dev.tokenbilling.model.LedgerEntryKind;
import dev.tokenbilling.model.Money;
import dev.tokenbilling.model.Purchase;
import dev.tokenbilling.model.PurchaseStatus;
import dev.tokenbilling.model.Reservation;
import dev.tokenbilling.model.ReservationStatus;
import dev.tokenbilling.model.TokenBalance;
import dev.tokenbilling.model.TokenLot;
import dev.tokenbilling.model.TokenPackage;
import dev.tokenbilling.model.UserId;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;

/** Row mappers and time conversion. Times cross JDBC as {@code timestamptz} in UTC, never as local times. */
final class Rows {

    /** A row named by its user and id: what a Citus lease picks before it locks the row on its shard. */
    record UserRow(String user, long id) {}

    static final String LEDGER_COLUMNS =
            "id, user_id, kind, amount, balance_after, purchase_id, idempotency_key, description, created_at";
    static final String BALANCE_COLUMNS = "user_id, balance, reserved, total_purchased, total_granted, total_used, "
            + "total_reversed, total_adjusted, total_expired, debt, updated_at";
    static final String LOT_COLUMNS =
            "id, user_id, source, entry_id, purchase_id, amount, remaining, priority, expires_at, created_at, "
                    + "closed_at, closed_reason";
    static final String RESERVATION_COLUMNS =
            "id, user_id, amount, status, idempotency_key, description, settled_tokens, entry_id, "
                    + "expires_at, created_at, updated_at";
    static final String PACKAGE_COLUMNS =
            "id, slug, name, package_type, token_amount, price_minor, currency, description, "
                    + "active, sort_order, stripe_product_id, stripe_price_id, validity_days, created_at, updated_at";
    static final String PURCHASE_COLUMNS =
            "id, user_id, package_id, package_slug, token_amount, amount_minor, currency, status, "
                    + "stripe_payment_intent_id, stripe_customer_id, stripe_charge_id, failure_code, failure_message, amount_refunded_minor, "
                    + "tokens_reversed, reversal_shortfall, tokens_disputed, created_at, updated_at, completed_at, validity_days";

    private Rows() {}

    static OffsetDateTime utc(Instant instant) {
        return instant == null ? null : OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

    static Optional<String> optionalString(ResultSet rs, String column) throws SQLException {
        return Optional.ofNullable(rs.getString(column));
    }

    static Optional<Long> optionalLong(ResultSet rs, String column) throws SQLException {
        long value = rs.getLong(column);
        return rs.wasNull() ? Optional.empty() : Optional.of(value);
    }

    static TokenLot lot(ResultSet rs) throws SQLException {
        return new TokenLot(
                rs.getLong("id"),
                UserId.of(rs.getString("user_id")),
                rs.getString("source"),
                optionalLong(rs, "entry_id"),
                optionalLong(rs, "purchase_id"),
                rs.getLong("amount"),
                rs.getLong("remaining"),
                rs.getInt("priority"),
                Optional.ofNullable(instant(rs, "expires_at")),
                instant(rs, "created_at"),
                Optional.ofNullable(instant(rs, "closed_at")),
                optionalString(rs, "closed_reason"));
    }

    static Reservation reservation(ResultSet rs) throws SQLException {
        return new Reservation(
                rs.getLong("id"),
                UserId.of(rs.getString("user_id")),
                rs.getLong("amount"),
                ReservationStatus.fromWireName(rs.getString("status")),
                rs.getString("idempotency_key"),
                rs.getString("description"),
                optionalLong(rs, "settled_tokens"),
                optionalLong(rs, "entry_id"),
                instant(rs, "expires_at"),
                instant(rs, "created_at"),
                instant(rs, "updated_at"));
    }

    static LedgerEntry ledgerEntry(ResultSet rs) throws SQLException {
        return ledgerEntry(rs, "");
    }

    /** An entry whose columns carry {@code prefix} (when a row holds another object's columns too). */
    static LedgerEntry ledgerEntry(ResultSet rs, String prefix) throws SQLException {
        Optional<Long> purchase = optionalLong(rs, prefix + "purchase_id");
        return new LedgerEntry(
                rs.getLong(prefix + "id"),
                UserId.of(rs.getString(prefix + "user_id")),
                LedgerEntryKind.fromWireName(rs.getString(prefix + "kind")),
                rs.getLong(prefix + "amount"),
                rs.getLong(prefix + "balance_after"),
                purchase,
                optionalString(rs, prefix + "idempotency_key"),
                rs.getString(prefix + "description"),
                instant(rs, prefix + "created_at"));
    }

    /** {@link #LEDGER_COLUMNS} of the composite {@code column}, each named with {@code prefix}. */
    static String ledgerColumnsOf(String column, String prefix) {
        StringBuilder sql = new StringBuilder();
        for (String name : LEDGER_COLUMNS.split(",\\s*")) {
            sql.append(sql.isEmpty() ? "" : ", ")
                    .append("(")
                    .append(column)
                    .append(").")
                    .append(name)
                    .append(" AS ")
                    .append(prefix)
                    .append(name);
        }
        return sql.toString();
    }

    static TokenBalance balance(ResultSet rs) throws SQLException {
        return new TokenBalance(
                UserId.of(rs.getString("user_id")),
                rs.getLong("balance"),
                rs.getLong("reserved"),
                rs.getLong("total_purchased"),
                rs.getLong("total_granted"),
                rs.getLong("total_used"),
                rs.getLong("total_reversed"),
                rs.getLong("total_adjusted"),
                rs.getLong("total_expired"),
                rs.getLong("debt"),
                Optional.ofNullable(instant(rs, "updated_at")));
    }

    static TokenPackage tokenPackage(ResultSet rs) throws SQLException {
        return new TokenPackage(
                rs.getLong("id"),
                rs.getString("slug"),
                rs.getString("name"),
                rs.getString("package_type"),
                rs.getLong("token_amount"),
                Money.of(rs.getLong("price_minor"), rs.getString("currency")),
                rs.getString("description"),
                rs.getBoolean("active"),
                rs.getInt("sort_order"),
                optionalString(rs, "stripe_product_id"),
                optionalString(rs, "stripe_price_id"),
                optionalLong(rs, "validity_days").map(Long::intValue),
                instant(rs, "created_at"),
                instant(rs, "updated_at"));
    }

    static Purchase purchase(ResultSet rs) throws SQLException {
        return new Purchase(
                rs.getLong("id"),
                UserId.of(rs.getString("user_id")),
                rs.getLong("package_id"),
                rs.getString("package_slug"),
                rs.getLong("token_amount"),
                Money.of(rs.getLong("amount_minor"), rs.getString("currency")),
                PurchaseStatus.fromWireName(rs.getString("status")),
                optionalString(rs, "stripe_payment_intent_id"),
                optionalString(rs, "stripe_customer_id"),
                optionalString(rs, "stripe_charge_id"),
                optionalString(rs, "failure_code"),
                optionalString(rs, "failure_message"),
                rs.getLong("amount_refunded_minor"),
                rs.getLong("tokens_reversed"),
                rs.getLong("reversal_shortfall"),
                rs.getLong("tokens_disputed"),
                instant(rs, "created_at"),
                instant(rs, "updated_at"),
                Optional.ofNullable(instant(rs, "completed_at")),
                Optional.ofNullable((Integer) rs.getObject("validity_days")));
    }

    /** The statuses' wire names as an SQL list ({@code 'pending', 'processing'}), so status sets are written once, in Java. */
    static String sqlList(java.util.Set<PurchaseStatus> statuses) {
        return statuses.stream()
                .sorted()
                .map(status -> "'" + status.wireName() + "'")
                .collect(java.util.stream.Collectors.joining(", "));
    }
}
