-- Version 2: credit lots with expiry and priority, reservations (holds) for metered usage, and the
-- ledger postings as PL/pgSQL functions so that each one stays a single round trip while it draws
-- from several lots. Flyway runs this with search_path set to the library's schema; the functions
-- keep that search_path (SET search_path FROM CURRENT) whoever calls them.

ALTER TABLE token_package ADD COLUMN validity_days integer CHECK (validity_days > 0);

-- Tokens owed after a reversal took more than the user's lots still held; new credits pay it first.
-- Invariant: sum of open lot remainders - debt = balance.
ALTER TABLE token_balance ADD COLUMN debt bigint NOT NULL DEFAULT 0 CHECK (debt >= 0);

ALTER TABLE token_transaction DROP CONSTRAINT token_transaction_kind_check;
ALTER TABLE token_transaction ADD CONSTRAINT token_transaction_kind_check CHECK (kind IN ('purchase', 'usage', 'grant',
    'adjustment', 'refund', 'dispute', 'dispute_reversal', 'expiry', 'void'));

-- Every credit becomes a lot; debits draw from lots by priority (lower first), then soonest expiry, then age.
CREATE TABLE token_lot (
    id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id       text        NOT NULL,
    source        text        NOT NULL CHECK (source IN ('purchase', 'grant', 'adjustment', 'dispute_reversal', 'migration')),
    entry_id      bigint      REFERENCES token_transaction (id),
    purchase_id   bigint      REFERENCES token_purchase (id),
    amount        bigint      NOT NULL CHECK (amount > 0),
    remaining     bigint      NOT NULL CHECK (remaining >= 0 AND remaining <= amount),
    priority      integer     NOT NULL DEFAULT 0,
    expires_at    timestamptz,
    created_at    timestamptz NOT NULL,
    closed_at     timestamptz,
    closed_reason text,
    -- A lot is open exactly while it has tokens left. The indexes select open lots by closed_at, which
    -- changes once per lot, so the debits that lower "remaining" are HOT updates.
    CONSTRAINT token_lot_open_while_remaining CHECK ((closed_at IS NULL) = (remaining > 0))
);
CREATE INDEX token_lot_open_by_user ON token_lot (user_id, priority, expires_at, id) WHERE closed_at IS NULL;
CREATE INDEX token_lot_expiring ON token_lot (expires_at) WHERE closed_at IS NULL AND expires_at IS NOT NULL;
ALTER TABLE token_lot SET (fillfactor = 80);

-- Tokens held for in-flight usage: the balance's "reserved" is the sum of the active ones.
CREATE TABLE token_reservation (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id         text        NOT NULL,
    amount          bigint      NOT NULL CHECK (amount > 0),
    status          text        NOT NULL CHECK (status IN ('active', 'settled', 'released', 'expired')),
    idempotency_key text        NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 255),
    description     text        NOT NULL DEFAULT '',
    settled_tokens  bigint      CHECK (settled_tokens >= 0),
    entry_id        bigint      REFERENCES token_transaction (id),
    expires_at      timestamptz NOT NULL,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    CONSTRAINT token_reservation_once_per_key UNIQUE (user_id, idempotency_key)
);
CREATE INDEX token_reservation_active_by_expiry ON token_reservation (expires_at) WHERE status = 'active';
CREATE INDEX token_reservation_active_by_user ON token_reservation (user_id) WHERE status = 'active';

-- Balances that existed before lots: one lot per user holds what they have; negative ones become debt.
INSERT INTO token_lot (user_id, source, amount, remaining, created_at)
SELECT user_id, 'migration', balance, balance, updated_at FROM token_balance WHERE balance > 0;
UPDATE token_balance SET debt = -balance WHERE balance < 0;

-- Appends a credit, pays debt first, and opens a lot for the rest (when p_lot_source is given).
-- Returns the new ledger row, or nothing when the idempotency key was used before.
CREATE FUNCTION ledger_credit(p_user text, p_kind text, p_tokens bigint, p_purchase_id bigint, p_key text,
        p_description text, p_at timestamptz, p_purchased bigint, p_granted bigint, p_reversed bigint, p_adjusted bigint,
        p_lot_source text, p_lot_priority integer, p_lot_expires_at timestamptz)
    RETURNS SETOF token_transaction LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    v_debt    bigint;
    v_payoff  bigint;
    v_balance bigint;
    v_entry   token_transaction;
BEGIN
    IF p_key IS NOT NULL AND EXISTS (SELECT 1 FROM token_transaction WHERE user_id = p_user AND idempotency_key = p_key) THEN
        RETURN;
    END IF;
    INSERT INTO token_balance (user_id, created_at, updated_at) VALUES (p_user, p_at, p_at) ON CONFLICT (user_id) DO NOTHING;
    SELECT debt INTO v_debt FROM token_balance WHERE user_id = p_user FOR UPDATE;
    -- Checked again under the lock: a racing repeat may have committed while we waited.
    IF p_key IS NOT NULL AND EXISTS (SELECT 1 FROM token_transaction WHERE user_id = p_user AND idempotency_key = p_key) THEN
        RETURN;
    END IF;
    v_payoff := CASE WHEN p_lot_source IS NULL THEN 0 ELSE least(v_debt, p_tokens) END;
    UPDATE token_balance SET balance = balance + p_tokens, debt = debt - v_payoff,
           total_purchased = total_purchased + p_purchased, total_granted = total_granted + p_granted,
           total_reversed = total_reversed + p_reversed, total_adjusted = total_adjusted + p_adjusted, updated_at = p_at
     WHERE user_id = p_user RETURNING balance INTO v_balance;
    INSERT INTO token_transaction (user_id, kind, amount, balance_after, purchase_id, idempotency_key, description, created_at)
    VALUES (p_user, p_kind, p_tokens, v_balance, p_purchase_id, p_key, p_description, p_at) RETURNING * INTO v_entry;
    IF p_lot_source IS NOT NULL THEN
        INSERT INTO token_lot (user_id, source, entry_id, purchase_id, amount, remaining, priority, expires_at, created_at, closed_at, closed_reason)
        VALUES (p_user, p_lot_source, v_entry.id, p_purchase_id, p_tokens, p_tokens - v_payoff, p_lot_priority, p_lot_expires_at, p_at,
                CASE WHEN p_tokens = v_payoff THEN p_at END, CASE WHEN p_tokens = v_payoff THEN 'paid debt' END);
    END IF;
    RETURN NEXT v_entry;
END;
$$;

-- Draws p_tokens from the user's lots in order; whatever the lots cannot cover becomes debt (only
-- possible with p_allow_negative). Refused (no row) when the key was used or, unless p_allow_negative,
-- when balance - reserved < p_tokens. A repeat racing past the first key check is stopped by the
-- unique index when the entry is inserted.
CREATE FUNCTION ledger_debit(p_user text, p_kind text, p_tokens bigint, p_allow_negative boolean, p_purchase_id bigint,
        p_key text, p_description text, p_at timestamptz, p_granted bigint, p_used bigint, p_reversed bigint,
        p_adjusted bigint, p_expired bigint)
    RETURNS SETOF token_transaction LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    v_balance  bigint;
    v_left     bigint := p_tokens;
    v_take     bigint;
    v_lot      record;
    v_entry    token_transaction;
BEGIN
    IF p_key IS NOT NULL AND EXISTS (SELECT 1 FROM token_transaction WHERE user_id = p_user AND idempotency_key = p_key) THEN
        RETURN;
    END IF;
    -- Locks, guards and moves the balance in one statement; the lots are read after it, under the lock.
    UPDATE token_balance SET balance = balance - p_tokens,
           total_granted = total_granted + p_granted, total_used = total_used + p_used,
           total_reversed = total_reversed + p_reversed, total_adjusted = total_adjusted + p_adjusted,
           total_expired = total_expired + p_expired, updated_at = p_at
     WHERE user_id = p_user AND (p_allow_negative OR balance - reserved >= p_tokens)
     RETURNING balance INTO v_balance;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    -- Usually the first lot in draw order covers the whole debit: one statement.
    UPDATE token_lot l SET remaining = l.remaining - p_tokens,
           closed_at = CASE WHEN l.remaining = p_tokens THEN p_at END,
           closed_reason = CASE WHEN l.remaining = p_tokens THEN 'used' END
     WHERE l.id = (SELECT f.id FROM token_lot f WHERE f.user_id = p_user AND f.closed_at IS NULL
                    ORDER BY f.priority, f.expires_at NULLS LAST, f.id LIMIT 1)
       AND l.remaining >= p_tokens;
    IF NOT FOUND THEN
        FOR v_lot IN SELECT id, remaining FROM token_lot WHERE user_id = p_user AND closed_at IS NULL
                     ORDER BY priority, expires_at NULLS LAST, id LOOP
            EXIT WHEN v_left = 0;
            v_take := least(v_left, v_lot.remaining);
            UPDATE token_lot SET remaining = remaining - v_take,
                   closed_at = CASE WHEN remaining = v_take THEN p_at END,
                   closed_reason = CASE WHEN remaining = v_take THEN 'used' END
             WHERE id = v_lot.id;
            v_left := v_left - v_take;
        END LOOP;
        IF v_left > 0 THEN
            UPDATE token_balance SET debt = debt + v_left WHERE user_id = p_user;
        END IF;
    END IF;
    INSERT INTO token_transaction (user_id, kind, amount, balance_after, purchase_id, idempotency_key, description, created_at)
    VALUES (p_user, p_kind, -p_tokens, v_balance, p_purchase_id, p_key, p_description, p_at) RETURNING * INTO v_entry;
    RETURN NEXT v_entry;
END;
$$;

-- Many usage debits in one statement: the batch's balance rows are locked in user order and read
-- once, its users' open lots are read once, every item is decided in memory in the caller's order
-- per user, and balances, lots and entries are written with one set-based statement each. One row
-- per item: posted (the new entry), duplicate (the entry that used the key first) or insufficient
-- (with what was available then).
CREATE FUNCTION ledger_debit_batch(p_users text[], p_tokens bigint[], p_keys text[], p_descriptions text[], p_at timestamptz)
    RETURNS TABLE (r_ord integer, r_outcome text, r_available bigint, id bigint, user_id text, kind text, amount bigint,
                   balance_after bigint, purchase_id bigint, idempotency_key text, description text, created_at timestamptz)
    LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
#variable_conflict use_column
DECLARE
    n            integer := coalesce(cardinality(p_users), 0);
    v_order      integer[];
    v_existing   boolean[];

    v_outcome    text[];
    v_after      bigint[];
    v_available  bigint[];
    v_posted     integer[] := '{}';
    s_users      text[];
    s_balance    bigint[];
    s_reserved   bigint[];
    s_used       bigint[];
    l_users      text[];
    l_ids        bigint[];
    l_remaining  bigint[];
    l_original   bigint[];
    v_idx        integer;
    v_user       text;
    v_current    text;
    v_si         integer;
    v_li         integer;
    v_keys       text[];
    v_left       bigint;
    v_take       bigint;
BEGIN
    IF n = 0 THEN
        RETURN;
    END IF;
    v_outcome := array_fill(NULL::text, ARRAY[n]);
    v_after := array_fill(NULL::bigint, ARRAY[n]);
    v_available := array_fill(0::bigint, ARRAY[n]);
    -- Every balance row of the batch, locked in user order: concurrent batches cannot deadlock.
    SELECT array_agg(b.user_id ORDER BY b.user_id), array_agg(b.balance ORDER BY b.user_id),
           array_agg(b.reserved ORDER BY b.user_id), array_agg(0::bigint ORDER BY b.user_id)
      INTO s_users, s_balance, s_reserved, s_used
      FROM (SELECT bb.user_id, bb.balance, bb.reserved FROM token_balance bb WHERE bb.user_id = ANY(p_users)
             ORDER BY bb.user_id FOR UPDATE) b;
    -- Read under the locks, so repeats that committed while we waited are seen.
    SELECT array_agg(t.id IS NOT NULL ORDER BY i.ord) INTO v_existing
      FROM unnest(p_users, p_keys) WITH ORDINALITY AS i(u, k, ord)
      LEFT JOIN token_transaction t ON t.user_id = i.u AND t.idempotency_key = i.k;
    SELECT array_agg(l.user_id ORDER BY l.user_id, l.priority, l.expires_at NULLS LAST, l.id),
           array_agg(l.id ORDER BY l.user_id, l.priority, l.expires_at NULLS LAST, l.id),
           array_agg(l.remaining ORDER BY l.user_id, l.priority, l.expires_at NULLS LAST, l.id)
      INTO l_users, l_ids, l_remaining
      FROM token_lot l WHERE l.user_id = ANY(p_users) AND l.closed_at IS NULL;
    l_original := l_remaining;
    SELECT array_agg(i.ord::integer ORDER BY i.u, i.ord) INTO v_order FROM unnest(p_users) WITH ORDINALITY AS i(u, ord);

    FOREACH v_idx IN ARRAY v_order LOOP
        v_user := p_users[v_idx];
        IF v_current IS DISTINCT FROM v_user THEN
            v_current := v_user;
            v_si := array_position(s_users, v_user);
            v_li := array_position(l_users, v_user);
            v_keys := '{}';
        END IF;
        IF v_existing[v_idx] OR p_keys[v_idx] = ANY(v_keys) THEN
            v_outcome[v_idx] := 'duplicate';
            CONTINUE;
        END IF;
        IF v_si IS NOT NULL AND s_balance[v_si] - s_reserved[v_si] >= p_tokens[v_idx] THEN
            s_balance[v_si] := s_balance[v_si] - p_tokens[v_idx];
            s_used[v_si] := s_used[v_si] + p_tokens[v_idx];
            v_after[v_idx] := s_balance[v_si];
        ELSE
            v_outcome[v_idx] := 'insufficient';
            v_available[v_idx] := CASE WHEN v_si IS NULL THEN 0 ELSE greatest(0, s_balance[v_si] - s_reserved[v_si]) END;
            CONTINUE;
        END IF;
        v_left := p_tokens[v_idx];
        WHILE v_left > 0 LOOP
            IF v_li IS NULL OR v_li > cardinality(l_ids) OR l_users[v_li] <> v_user THEN
                RAISE EXCEPTION 'lots of % do not cover its balance', v_user USING ERRCODE = 'XX000';
            END IF;
            v_take := least(v_left, l_remaining[v_li]);
            l_remaining[v_li] := l_remaining[v_li] - v_take;
            v_left := v_left - v_take;
            IF l_remaining[v_li] = 0 THEN
                v_li := v_li + 1;
            END IF;
        END LOOP;
        v_outcome[v_idx] := 'posted';
        v_keys := v_keys || p_keys[v_idx];
        v_posted := v_posted || v_idx;
    END LOOP;

    IF s_users IS NOT NULL THEN
        UPDATE token_balance b SET balance = x.balance, total_used = b.total_used + x.used, updated_at = p_at
          FROM unnest(s_users, s_balance, s_used) AS x(u, balance, used)
         WHERE b.user_id = x.u AND x.used > 0;
    END IF;
    IF cardinality(v_posted) > 0 THEN
        UPDATE token_lot l SET remaining = x.remaining,
               closed_at = CASE WHEN x.remaining = 0 THEN p_at END,
               closed_reason = CASE WHEN x.remaining = 0 THEN 'used' END
          FROM unnest(l_ids, l_remaining, l_original) AS x(lot, remaining, original)
         WHERE l.id = x.lot AND x.remaining <> x.original;
        INSERT INTO token_transaction (user_id, kind, amount, balance_after, idempotency_key, description, created_at)
        SELECT p_users[o], 'usage', -p_tokens[o], v_after[o], p_keys[o], p_descriptions[o], p_at
          FROM unnest(v_posted) AS o ORDER BY o;
    END IF;

    RETURN QUERY
        SELECT i.ord::integer, v_outcome[i.ord], v_available[i.ord], t.id, coalesce(t.user_id, i.u), t.kind, t.amount, t.balance_after,
               t.purchase_id, coalesce(t.idempotency_key, i.k), t.description, t.created_at
          FROM unnest(p_users, p_keys) WITH ORDINALITY AS i(u, k, ord)
          LEFT JOIN token_transaction t ON t.user_id = i.u AND t.idempotency_key = i.k
         ORDER BY i.ord;
END;
$$;

-- Holds p_tokens for in-flight usage. Outcome 'reserved' or 'duplicate' (with the reservation id), or
-- 'insufficient' (with what is available). The user's own lapsed holds are released first.
CREATE FUNCTION reservation_create(p_user text, p_tokens bigint, p_key text, p_description text, p_expires_at timestamptz,
        p_at timestamptz)
    RETURNS TABLE (r_outcome text, r_id bigint, r_available bigint)
    LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    v_id       bigint;
    v_balance  bigint;
    v_reserved bigint;
BEGIN
    SELECT r.id INTO v_id FROM token_reservation r WHERE r.user_id = p_user AND r.idempotency_key = p_key;
    IF FOUND THEN
        RETURN QUERY SELECT 'duplicate'::text, v_id, 0::bigint;
        RETURN;
    END IF;
    SELECT b.balance, b.reserved INTO v_balance, v_reserved FROM token_balance b WHERE b.user_id = p_user FOR UPDATE;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'insufficient'::text, NULL::bigint, 0::bigint;
        RETURN;
    END IF;
    WITH lapsed AS (
        UPDATE token_reservation r SET status = 'expired', updated_at = p_at
         WHERE r.user_id = p_user AND r.status = 'active' AND r.expires_at <= p_at RETURNING r.amount)
    SELECT v_reserved - coalesce(sum(amount), 0) INTO v_reserved FROM lapsed;
    IF v_balance - v_reserved < p_tokens THEN
        UPDATE token_balance b SET reserved = v_reserved WHERE b.user_id = p_user;
        RETURN QUERY SELECT 'insufficient'::text, NULL::bigint, greatest(0, v_balance - v_reserved);
        RETURN;
    END IF;
    UPDATE token_balance b SET reserved = v_reserved + p_tokens, updated_at = p_at WHERE b.user_id = p_user;
    INSERT INTO token_reservation (user_id, amount, status, idempotency_key, description, expires_at, created_at, updated_at)
    VALUES (p_user, p_tokens, 'active', p_key, p_description, p_expires_at, p_at, p_at) RETURNING token_reservation.id INTO v_id;
    RETURN QUERY SELECT 'reserved'::text, v_id, greatest(0, v_balance - v_reserved - p_tokens);
END;
$$;

-- Ends an active hold: settles p_actual tokens of it (a usage debit; never refused, the tokens were
-- held) or, with p_actual = NULL, releases it. Outcome 'settled' (with the entry id, if any tokens),
-- 'released' or 'expired' when this call ended it; 'already_<status>' when it had ended before, so
-- that of two racing calls exactly one is told it ended the hold.
CREATE FUNCTION reservation_finish(p_id bigint, p_actual bigint, p_description text, p_at timestamptz, p_status text)
    RETURNS TABLE (r_outcome text, r_entry_id bigint)
    LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    v_res   token_reservation;
    v_entry token_transaction;
BEGIN
    SELECT * INTO v_res FROM token_reservation r WHERE r.id = p_id;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'unknown'::text, NULL::bigint;
        RETURN;
    END IF;
    -- Balance first, then the reservation: the same lock order as every other posting.
    PERFORM 1 FROM token_balance b WHERE b.user_id = v_res.user_id FOR UPDATE;
    SELECT * INTO v_res FROM token_reservation r WHERE r.id = p_id FOR UPDATE;
    IF v_res.status <> 'active' THEN
        -- Ended before (or by a racing call that held the lock first): this call changes nothing.
        RETURN QUERY SELECT 'already_' || v_res.status, v_res.entry_id;
        RETURN;
    END IF;
    IF p_status = 'settled' AND p_actual > v_res.amount THEN
        RAISE EXCEPTION 'cannot settle % tokens of a hold of %', p_actual, v_res.amount USING ERRCODE = '22023';
    END IF;
    IF p_status = 'settled' AND v_res.expires_at <= p_at THEN
        p_status := 'expired';
        p_actual := NULL;
    END IF;
    UPDATE token_balance b SET reserved = b.reserved - v_res.amount, updated_at = p_at WHERE b.user_id = v_res.user_id;
    IF p_status = 'settled' AND p_actual > 0 THEN
        SELECT * INTO v_entry FROM ledger_debit(v_res.user_id, 'usage', p_actual, true, NULL, 'reservation-' || v_res.id,
            coalesce(nullif(p_description, ''), v_res.description), p_at, 0, p_actual, 0, 0, 0);
    END IF;
    UPDATE token_reservation r SET status = p_status, settled_tokens = CASE WHEN p_status = 'settled' THEN p_actual END,
           entry_id = v_entry.id, updated_at = p_at WHERE r.id = p_id;
    RETURN QUERY SELECT p_status, v_entry.id;
END;
$$;

-- Releases lapsed holds of any user, at most p_limit; safe on several instances (SKIP LOCKED).
CREATE FUNCTION reservation_expire(p_now timestamptz, p_limit integer)
    RETURNS integer LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    v_res   record;
    v_count integer := 0;
BEGIN
    FOR v_res IN SELECT r.id FROM token_reservation r WHERE r.status = 'active' AND r.expires_at <= p_now
                 ORDER BY r.expires_at LIMIT p_limit LOOP
        IF (SELECT r_outcome FROM reservation_finish(v_res.id, NULL, NULL, p_now, 'expired')) = 'expired' THEN
            v_count := v_count + 1;
        END IF;
    END LOOP;
    RETURN v_count;
END;
$$;

-- Takes what remains of one lot out of the balance with a ledger row of p_kind ('expiry' or 'void'),
-- never touching tokens held by active reservations. Returns that ledger row, or nothing when no
-- token could be taken.
CREATE FUNCTION lot_close(p_lot_id bigint, p_kind text, p_description text, p_at timestamptz, p_reason text)
    RETURNS SETOF token_transaction LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    v_lot      token_lot;
    v_balance  bigint;
    v_reserved bigint;
    v_take     bigint;
    v_entry    token_transaction;
BEGIN
    SELECT * INTO v_lot FROM token_lot l WHERE l.id = p_lot_id;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    SELECT b.balance, b.reserved INTO v_balance, v_reserved FROM token_balance b WHERE b.user_id = v_lot.user_id FOR UPDATE;
    SELECT * INTO v_lot FROM token_lot l WHERE l.id = p_lot_id;
    v_take := least(v_lot.remaining, greatest(0, v_balance - v_reserved));
    IF v_take > 0 OR v_lot.remaining = 0 THEN
        UPDATE token_lot l SET remaining = l.remaining - v_take,
               closed_at = CASE WHEN l.remaining = v_take THEN p_at END,
               closed_reason = CASE WHEN l.remaining = v_take THEN p_reason END
         WHERE l.id = p_lot_id;
    END IF;
    IF v_take > 0 THEN
        UPDATE token_balance b SET balance = b.balance - v_take,
               total_expired = b.total_expired + CASE WHEN p_kind = 'expiry' THEN v_take ELSE 0 END,
               total_granted = b.total_granted - CASE WHEN p_kind = 'void' THEN v_take ELSE 0 END,
               updated_at = p_at
         WHERE b.user_id = v_lot.user_id RETURNING b.balance INTO v_balance;
        INSERT INTO token_transaction (user_id, kind, amount, balance_after, purchase_id, idempotency_key, description, created_at)
        VALUES (v_lot.user_id, p_kind, -v_take, v_balance, v_lot.purchase_id,
                p_kind || '-lot-' || p_lot_id || '-' || v_lot.remaining, p_description, p_at) RETURNING * INTO v_entry;
    END IF;
    IF v_take > 0 THEN
        RETURN NEXT v_entry;
    END IF;
END;
$$;
