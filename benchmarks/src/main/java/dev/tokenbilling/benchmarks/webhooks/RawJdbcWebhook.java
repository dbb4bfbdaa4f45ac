package dev.tokenbilling.benchmarks.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenbilling.benchmarks.Operation;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import javax.sql.DataSource;

/**
 * The baseline: what a hand-written Stripe webhook handler does per {@code payment_intent.succeeded}
 * delivery, on one pooled connection per thread with prepared statements reused.
 *
 * <ol>
 *   <li>Checks the {@code Stripe-Signature} header with javax.crypto ({@link RawSignature}) and parses the
 *       JSON once (Jackson tree).</li>
 *   <li>In one transaction: stores the event ({@code INSERT ... ON CONFLICT (id) DO NOTHING}; a conflict on
 *       an event already processed is a duplicate); locks the purchase by its PaymentIntent id
 *       ({@code SELECT ... FOR UPDATE}, joined to its package for the validity period); completes it with
 *       one {@code UPDATE} guarded by its open statuses, recording the charge; credits the tokens through
 *       the schema's own {@code ledger_credit} (the balance, the {@code purchase} ledger entry with the
 *       reference {@code purchase-<id>} in the schema's key space for postings nobody asked for by key,
 *       and the lot, paying debt first); marks the event processed; commits.</li>
 * </ol>
 *
 * <p>The credit calls {@code ledger_credit} rather than hand-written statements because that function
 * is part of the schema: crediting correctly (debt paid first, a lot opened for the rest, the
 * reference checked and the ledger sequence taken under the balance row's lock) takes it or several
 * more round trips, so the function is the fastest correct thing a hand-written handler can do on
 * this schema.
 */
final class RawJdbcWebhook implements Operation {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Connection connection;
    private final EventPool pool;
    private final RawSignature signature;
    private final PreparedStatement insertEvent;
    private final PreparedStatement lockEvent;
    private final PreparedStatement lockPurchase;
    private final PreparedStatement complete;
    private final PreparedStatement credit;
    private final PreparedStatement markDone;

    private RawJdbcWebhook(Connection connection, String schema, EventPool pool, RawSignature signature)
            throws SQLException {
        this.connection = connection;
        this.pool = pool;
        this.signature = signature;
        connection.setAutoCommit(false);
        insertEvent = connection.prepareStatement("INSERT INTO " + schema + ".webhook_event"
                + " (id, type, api_version, livemode, object_id, payload, status, received_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, 'received', ?) ON CONFLICT (id) DO NOTHING");
        lockEvent =
                connection.prepareStatement("SELECT status FROM " + schema + ".webhook_event WHERE id = ? FOR UPDATE");
        lockPurchase = connection.prepareStatement(
                "SELECT p.id, p.user_id, p.token_amount, p.amount_minor, p.currency, p.status,"
                        + " p.package_slug, k.validity_days FROM " + schema + ".token_purchase p JOIN " + schema
                        + ".token_package k ON k.id = p.package_id"
                        + " WHERE p.stripe_payment_intent_id = ? FOR UPDATE OF p");
        complete = connection.prepareStatement("UPDATE " + schema + ".token_purchase SET status = 'completed',"
                + " stripe_charge_id = coalesce(?, stripe_charge_id), completed_at = coalesce(completed_at, ?), updated_at = ?"
                + " WHERE id = ? AND status IN ('pending', 'processing', 'requires_action', 'failed')");
        credit = connection.prepareStatement(
                "SELECT id FROM " + schema + ".ledger_credit(?, 'purchase', ?, ?, NULL, ?, ?, ?, ?, 0, 0, 0,"
                        + " 'purchase', 0, CAST(? AS timestamptz))");
        markDone = connection.prepareStatement("UPDATE " + schema
                + ".webhook_event SET status = ?, attempts = attempts + 1," + " processed_at = ? WHERE id = ?");
    }

    static Operation.Factory factory(
            DataSource dataSource, String schema, EventPool pool, String secret, Duration tolerance) {
        return threadIndex -> {
            Connection connection = dataSource.getConnection();
            try {
                return new RawJdbcWebhook(connection, schema, pool, new RawSignature(secret, tolerance.toSeconds()));
            } catch (SQLException | RuntimeException e) {
                connection.close();
                throw e;
            }
        };
    }

    @Override
    public int runOnce() throws Exception {
        SignedEvent delivery = pool.take();
        String payload = new String(delivery.body(), StandardCharsets.UTF_8);
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        if (!signature.verify(payload, delivery.signature(), now.toEpochSecond())) {
            throw new IllegalStateException(delivery.eventId() + ": the signature does not verify");
        }
        JsonNode event = MAPPER.readTree(payload);
        String id = event.path("id").asText();
        String type = event.path("type").asText();
        JsonNode intent = event.path("data").path("object");
        if (!type.equals("payment_intent.succeeded")
                || !intent.path("status").asText().equals("succeeded")) {
            throw new IllegalStateException(id + ": not a succeeded PaymentIntent");
        }
        try {
            insertEvent.setString(1, id);
            insertEvent.setString(2, type);
            insertEvent.setString(
                    3,
                    event.path("api_version").isTextual()
                            ? event.path("api_version").asText()
                            : null);
            insertEvent.setBoolean(4, event.path("livemode").asBoolean(false));
            insertEvent.setString(5, intent.path("id").asText());
            insertEvent.setString(6, payload);
            insertEvent.setObject(7, now);
            if (insertEvent.executeUpdate() == 0 && alreadyDone(id)) {
                connection.commit();
                throw new IllegalStateException(id + ": a duplicate delivery in a run of first deliveries");
            }
            lockPurchase.setString(1, intent.path("id").asText());
            try (ResultSet purchase = lockPurchase.executeQuery()) {
                if (!purchase.next()) {
                    finish(id, "ignored", now);
                    throw new IllegalStateException(
                            id + ": PaymentIntent " + intent.path("id").asText() + " is not a token purchase");
                }
                long purchaseId = purchase.getLong("id");
                if (purchase.getLong("amount_minor") != intent.path("amount").asLong()
                        || !purchase.getString("currency")
                                .equalsIgnoreCase(intent.path("currency").asText())) {
                    throw new IllegalStateException(id + ": amount or currency does not match purchase " + purchaseId);
                }
                complete.setString(
                        1,
                        intent.path("latest_charge").isTextual()
                                ? intent.path("latest_charge").asText()
                                : null);
                complete.setObject(2, now);
                complete.setObject(3, now);
                complete.setLong(4, purchaseId);
                if (complete.executeUpdate() == 1) {
                    long tokens = purchase.getLong("token_amount");
                    Object validityDays = purchase.getObject("validity_days");
                    credit.setString(1, purchase.getString("user_id"));
                    credit.setLong(2, tokens);
                    credit.setLong(3, purchaseId);
                    credit.setString(4, "purchase-" + purchaseId);
                    credit.setString(5, "Purchase of " + purchase.getString("package_slug"));
                    credit.setObject(6, now);
                    credit.setLong(7, tokens);
                    credit.setObject(
                            8, validityDays == null ? null : now.plusDays(((Number) validityDays).longValue()));
                    try (ResultSet entry = credit.executeQuery()) {
                        if (!entry.next()) {
                            throw new IllegalStateException(id + ": purchase " + purchaseId + " was credited before");
                        }
                    }
                }
            }
            finish(id, "processed", now);
            return 1;
        } catch (Exception e) {
            connection.rollback();
            throw e;
        }
    }

    /** After a conflict on the event id: the stored event, locked; true when it was processed (or ignored) before. */
    private boolean alreadyDone(String id) throws SQLException {
        lockEvent.setString(1, id);
        try (ResultSet row = lockEvent.executeQuery()) {
            return row.next()
                    && (row.getString(1).equals("processed") || row.getString(1).equals("ignored"));
        }
    }

    private void finish(String id, String status, OffsetDateTime now) throws SQLException {
        markDone.setString(1, status);
        markDone.setObject(2, now);
        markDone.setString(3, id);
        markDone.executeUpdate();
        connection.commit();
    }

    @Override
    public void release() throws SQLException {
        try (connection) {
            insertEvent.close();
            lockEvent.close();
            lockPurchase.close();
            complete.close();
            credit.close();
            markDone.close();
            connection.setAutoCommit(true);
        }
    }
}
