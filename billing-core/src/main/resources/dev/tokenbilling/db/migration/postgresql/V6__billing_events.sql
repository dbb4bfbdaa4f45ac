-- Host-facing billing events in a durable outbox: each is written in the same transaction as the
-- change it reports, then delivered to the host's listeners at least once, in order per user.
-- delivered_at NULL means pending; a delivery leases an event by moving next_attempt_at ahead, so a
-- process that dies while delivering leaves it to be retried when the lease ends.
CREATE SEQUENCE billing_event_id_seq;
CREATE TABLE billing_event (
    user_id         text        NOT NULL CHECK (length(user_id) BETWEEN 1 AND 255),
    id              bigint      NOT NULL DEFAULT nextval('billing_event_id_seq'),
    type            text        NOT NULL CHECK (length(type) BETWEEN 1 AND 100),
    payload         text        NOT NULL,
    created_at      timestamptz NOT NULL,
    attempts        integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at timestamptz NOT NULL,
    last_error      text,
    delivered_at    timestamptz,
    PRIMARY KEY (user_id, id)
);
-- The pending ones stay few whatever the history holds: delivery reads only these.
CREATE INDEX billing_event_pending_by_user ON billing_event (user_id, id) WHERE delivered_at IS NULL;
CREATE INDEX billing_event_due ON billing_event (next_attempt_at, id) WHERE delivered_at IS NULL;

-- Low-balance alerts: a per-user threshold on the balance row, so that the posting that crosses it
-- sees the crossing in the row it updates (no read of its own). NULL: no alert.
ALTER TABLE token_balance ADD COLUMN low_balance_below bigint CHECK (low_balance_below > 0);

-- Once per crossing: when the available balance (balance - reserved) falls below the threshold
-- ('balance.low') or to zero ('balance.depleted'); rising above it again (a credit, a released
-- hold) re-arms it. The trigger's WHEN keeps every other update of the row free of any call.
CREATE FUNCTION token_balance_crossed() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    v_before bigint := OLD.balance - OLD.reserved;
    v_after  bigint := NEW.balance - NEW.reserved;
BEGIN
    IF NEW.low_balance_below IS NOT NULL AND v_after < NEW.low_balance_below AND v_before >= NEW.low_balance_below THEN
        INSERT INTO billing_event (user_id, type, payload, created_at, next_attempt_at)
        VALUES (NEW.user_id, 'balance.low',
                format('{"available":%s,"balance":%s,"threshold":%s}', v_after, NEW.balance, NEW.low_balance_below),
                NEW.updated_at, NEW.updated_at);
    END IF;
    IF v_after <= 0 AND v_before > 0 THEN
        INSERT INTO billing_event (user_id, type, payload, created_at, next_attempt_at)
        VALUES (NEW.user_id, 'balance.depleted', format('{"available":%s,"balance":%s}', v_after, NEW.balance),
                NEW.updated_at, NEW.updated_at);
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER token_balance_crossings AFTER UPDATE ON token_balance FOR EACH ROW
    WHEN ((NEW.balance - NEW.reserved <= 0 AND OLD.balance - OLD.reserved > 0)
       OR (NEW.low_balance_below IS NOT NULL AND NEW.balance - NEW.reserved < NEW.low_balance_below
           AND OLD.balance - OLD.reserved >= NEW.low_balance_below))
    EXECUTE FUNCTION token_balance_crossed();
