-- Auto-recharge: when a posting takes a user's available balance below the threshold of their rule,
-- the same transaction records that a recharge is needed (a pending attempt); a worker then buys
-- the rule's pack with the user's saved card, off-session. At most one attempt is in flight per user.

CREATE TABLE recharge_rule (
    user_id              text        PRIMARY KEY CHECK (length(user_id) BETWEEN 1 AND 255),
    package_id           bigint      NOT NULL REFERENCES token_package (id),
    threshold            bigint      NOT NULL CHECK (threshold > 0),
    payment_method_id    text        NOT NULL CHECK (length(payment_method_id) BETWEEN 1 AND 255),
    max_per_month        integer     NOT NULL CHECK (max_per_month > 0),
    max_amount_per_month bigint      NOT NULL CHECK (max_amount_per_month > 0),
    max_failures         integer     NOT NULL CHECK (max_failures > 0),
    enabled              boolean     NOT NULL,
    -- Why the rule is paused (a decline, a card that needs the user); NULL while it runs.
    paused_reason        text,
    failures             integer     NOT NULL DEFAULT 0 CHECK (failures >= 0),
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL
);

CREATE SEQUENCE recharge_attempt_id_seq;
CREATE TABLE recharge_attempt (
    user_id           text        NOT NULL CHECK (length(user_id) BETWEEN 1 AND 255),
    id                bigint      NOT NULL DEFAULT nextval('recharge_attempt_id_seq'),
    status            text        NOT NULL CHECK (status IN ('pending', 'processing', 'succeeded', 'failed',
                                      'requires_action', 'skipped')),
    -- Tries that ended in a decline; the PaymentIntent of a try is keyed by (attempt, try).
    tries             integer     NOT NULL DEFAULT 0 CHECK (tries >= 0),
    available_at_start bigint     NOT NULL,
    purchase_id       bigint,
    payment_intent_id text,
    reason            text,
    next_attempt_at   timestamptz NOT NULL,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    PRIMARY KEY (user_id, id),
    FOREIGN KEY (user_id, purchase_id) REFERENCES token_purchase (user_id, id)
);
-- At most one recharge in flight per user, however many postings cross at once.
CREATE UNIQUE INDEX recharge_attempt_one_in_flight ON recharge_attempt (user_id)
    WHERE status IN ('pending', 'processing', 'requires_action');
CREATE INDEX recharge_attempt_due ON recharge_attempt (next_attempt_at) WHERE status IN ('pending', 'processing');
CREATE INDEX recharge_attempt_by_purchase ON recharge_attempt (user_id, purchase_id) WHERE purchase_id IS NOT NULL;

-- The threshold of an enabled, running rule, on the balance row, for the crossing trigger.
ALTER TABLE token_balance ADD COLUMN recharge_below bigint CHECK (recharge_below > 0);

CREATE OR REPLACE FUNCTION token_balance_crossed() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    v_before bigint := OLD.balance - OLD.reserved;
    v_after  bigint := NEW.balance - NEW.reserved;
BEGIN
    IF NEW.recharge_below IS NOT NULL AND v_after < NEW.recharge_below AND v_before >= NEW.recharge_below THEN
        INSERT INTO recharge_attempt (user_id, status, available_at_start, next_attempt_at, created_at, updated_at)
        VALUES (NEW.user_id, 'pending', v_after, NEW.updated_at, NEW.updated_at, NEW.updated_at)
        ON CONFLICT (user_id) WHERE status IN ('pending', 'processing', 'requires_action') DO NOTHING;
    END IF;
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

DROP TRIGGER token_balance_crossings ON token_balance;
CREATE TRIGGER token_balance_crossings AFTER UPDATE ON token_balance FOR EACH ROW
    WHEN ((NEW.balance - NEW.reserved <= 0 AND OLD.balance - OLD.reserved > 0)
       OR (NEW.low_balance_below IS NOT NULL AND NEW.balance - NEW.reserved < NEW.low_balance_below
           AND OLD.balance - OLD.reserved >= NEW.low_balance_below)
       OR (NEW.recharge_below IS NOT NULL AND NEW.balance - NEW.reserved < NEW.recharge_below
           AND OLD.balance - OLD.reserved >= NEW.recharge_below))
    EXECUTE FUNCTION token_balance_crossed();
