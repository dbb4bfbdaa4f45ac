-- A batch of debits no longer draws from the lots as it posts: it adds its usage to the user's
-- pending draw (token_balance.lot_draw), and the draw is applied to the lots, in draw order, by the
-- next posting that reads or adds lots (lot_draw_settle, under the balance row's lock). Draws from
-- lots in draw order are greedy, so one pending draw leaves the lots as the batches' debits one by
-- one would have; every function that reads lots, adds one or draws in another order (a refund takes
-- its purchase's lot first) settles first. Reads of lots see them settled (lots_of) without writing.
-- A batch then writes one row per user (its balance) instead of two, and reads no lot: reading and
-- updating lots was about a quarter of what a batch cost PostgreSQL. A lot the pending draw uses up
-- closes ('used') at the time of the last batch that drew (lot_drawn_at). On Citus the batch of one
-- shard posts through ledger_debit and never leaves a pending draw.
-- Invariant now: sum of open lot remainders - debt - lot_draw = balance. The draw from lots in
-- draw order, which ledger_debit and reservation_end each wrote out, is one function (lots_draw).

-- The constraint is named: Citus refuses an unnamed one in ADD COLUMN on a distributed table.
ALTER TABLE token_balance ADD COLUMN lot_draw bigint NOT NULL DEFAULT 0 CONSTRAINT token_balance_lot_draw_check CHECK (lot_draw >= 0),
                          ADD COLUMN lot_drawn_at timestamptz;

-- Draws p_tokens from p_user's open lots in draw order (priority, soonest expiry, age), closing
-- those it empties ('used', at p_at); tokens no lot covers become debt, which it returns. The
-- postings call it under the balance row's lock, when the first open lot does not cover a draw.
CREATE FUNCTION lots_draw(p_user text, p_tokens bigint, p_at timestamptz)
    RETURNS bigint LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    v_left  bigint := p_tokens;
    v_take  bigint;
    v_lot   record;
BEGIN
    FOR v_lot IN SELECT l.id, l.remaining FROM token_lot l WHERE l.user_id = p_user AND l.closed_at IS NULL
                 ORDER BY l.priority, l.expires_at NULLS LAST, l.id LOOP
        EXIT WHEN v_left = 0;
        v_take := least(v_left, v_lot.remaining);
        UPDATE token_lot l SET remaining = l.remaining - v_take,
               closed_at = CASE WHEN l.remaining = v_take THEN p_at END,
               closed_reason = CASE WHEN l.remaining = v_take THEN 'used' END
         WHERE l.user_id = p_user AND l.id = v_lot.id;
        v_left := v_left - v_take;
    END LOOP;
    IF v_left > 0 THEN
        UPDATE token_balance b SET debt = b.debt + v_left WHERE b.user_id = p_user;
    END IF;
    RETURN v_left;
END;
$$;

-- Applies p_user's pending draw to the lots (lots_draw, closing emptied lots at the last batch that
-- drew) and zeroes it. Tokens no lot covers become debt (a batch only posts what the balance covers,
-- so only an inconsistent ledger, which the audit reports, has any); returns that debt. Locks the
-- balance row, as every posting does first.
CREATE FUNCTION lot_draw_settle(p_user text)
    RETURNS bigint LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    v_draw  bigint;
    v_at    timestamptz;
    v_debt  bigint;
BEGIN
    SELECT b.lot_draw, b.lot_drawn_at INTO v_draw, v_at FROM token_balance b WHERE b.user_id = p_user FOR UPDATE;
    IF coalesce(v_draw, 0) = 0 THEN
        RETURN 0;
    END IF;
    v_debt := lots_draw(p_user, v_draw, v_at);
    UPDATE token_balance b SET lot_draw = 0, lot_drawn_at = NULL WHERE b.user_id = p_user;
    RETURN v_debt;
END;
$$;

-- p_user's lots as lot_draw_settle would leave them, without writing or locking: the pending draw
-- taken from the open lots in draw order (a lot it empties shows closed, 'used', at lot_drawn_at).
-- Only the lots open after the draw when p_open_only; in no particular order.
CREATE FUNCTION lots_of(p_user text, p_open_only boolean)
    RETURNS SETOF token_lot LANGUAGE plpgsql STABLE SET search_path FROM CURRENT AS $$
BEGIN
    -- PL/pgSQL rather than SQL: the session keeps its plans (a SQL function is planned at every call).
    RETURN QUERY
    SELECT o.id, o.user_id, o.source, o.entry_id, o.purchase_id, o.amount, o.remaining - o.taken, o.priority, o.expires_at,
           o.created_at, CASE WHEN o.taken = o.remaining THEN o.drawn_at END, CASE WHEN o.taken = o.remaining THEN 'used'::text END
      FROM (SELECT l.*, b.lot_drawn_at AS drawn_at,
                   least(l.remaining, greatest(0, coalesce(b.lot_draw, 0) - coalesce(sum(l.remaining) OVER (
                       ORDER BY l.priority, l.expires_at NULLS LAST, l.id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)::bigint, 0)))
                       AS taken
              FROM token_lot l LEFT JOIN token_balance b ON b.user_id = l.user_id
             WHERE l.user_id = p_user AND l.closed_at IS NULL) o
     WHERE NOT (p_open_only AND o.taken = o.remaining)
    UNION ALL
    SELECT c.id, c.user_id, c.source, c.entry_id, c.purchase_id, c.amount, c.remaining, c.priority, c.expires_at, c.created_at,
           c.closed_at, c.closed_reason
      FROM token_lot c
     WHERE NOT p_open_only AND c.user_id = p_user AND c.closed_at IS NOT NULL;
END;
$$;

-- The postings that read or add lots settle the pending draw first, under the balance row's lock.
CREATE OR REPLACE FUNCTION ledger_credit(p_user text, p_kind text, p_tokens bigint, p_purchase_id bigint, p_key text, p_ref text,
        p_description text, p_at timestamptz, p_purchased bigint, p_granted bigint, p_reversed bigint, p_adjusted bigint,
        p_lot_source text, p_lot_priority integer, p_lot_expires_at timestamptz)
    RETURNS SETOF token_transaction LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    v_debt    bigint;
    v_draw    bigint;
    v_payoff  bigint;
    v_balance bigint;
    v_seq     bigint;
    v_entry   token_transaction;
BEGIN
    IF ledger_posted(p_user, p_key, p_ref) THEN
        RETURN;
    END IF;
    INSERT INTO token_balance (user_id, created_at, updated_at) VALUES (p_user, p_at, p_at) ON CONFLICT (user_id) DO NOTHING;
    SELECT debt, lot_draw INTO v_debt, v_draw FROM token_balance WHERE user_id = p_user FOR UPDATE;
    -- Checked again under the lock: a racing repeat may have committed while we waited.
    IF ledger_posted(p_user, p_key, p_ref) THEN
        RETURN;
    END IF;
    -- The new lot must not take a draw made before it.
    IF v_draw > 0 THEN
        v_debt := v_debt + lot_draw_settle(p_user);
    END IF;
    v_payoff := CASE WHEN p_lot_source IS NULL THEN 0 ELSE least(v_debt, p_tokens) END;
    UPDATE token_balance SET balance = balance + p_tokens, debt = debt - v_payoff, last_seq = last_seq + 1,
           total_purchased = total_purchased + p_purchased, total_granted = total_granted + p_granted,
           total_reversed = total_reversed + p_reversed, total_adjusted = total_adjusted + p_adjusted, updated_at = p_at
     WHERE user_id = p_user RETURNING balance, last_seq INTO v_balance, v_seq;
    INSERT INTO token_transaction (user_id, seq, kind, amount, balance_after, purchase_id, idempotency_key, posting_ref, description,
                                   created_at)
    VALUES (p_user, v_seq, p_kind, p_tokens, v_balance, p_purchase_id, p_key, p_ref, p_description, p_at) RETURNING * INTO v_entry;
    IF p_lot_source IS NOT NULL THEN
        INSERT INTO token_lot (user_id, source, entry_id, purchase_id, amount, remaining, priority, expires_at, created_at, closed_at, closed_reason)
        VALUES (p_user, p_lot_source, v_entry.id, p_purchase_id, p_tokens, p_tokens - v_payoff, p_lot_priority, p_lot_expires_at, p_at,
                CASE WHEN p_tokens = v_payoff THEN p_at END, CASE WHEN p_tokens = v_payoff THEN 'paid debt' END);
    END IF;
    RETURN NEXT v_entry;
END;
$$;

CREATE OR REPLACE FUNCTION ledger_debit(p_user text, p_kind text, p_tokens bigint, p_allow_negative boolean, p_purchase_id bigint,
        p_key text, p_ref text, p_description text, p_at timestamptz, p_granted bigint, p_used bigint, p_reversed bigint,
        p_adjusted bigint, p_expired bigint)
    RETURNS SETOF token_transaction LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    v_balance  bigint;
    v_seq      bigint;
    v_draw     bigint;
    v_left     bigint := p_tokens;
    v_take     bigint;
    v_lot      record;
    v_entry    token_transaction;
    v_month    date := date_trunc('month', p_at AT TIME ZONE 'UTC')::date;
BEGIN
    IF ledger_posted(p_user, p_key, p_ref) THEN
        RETURN;
    END IF;
    -- Locks, guards and moves the balance in one statement; the lots are read after it, under the lock.
    UPDATE token_balance SET balance = balance - p_tokens, last_seq = last_seq + 1,
           total_granted = total_granted + p_granted, total_used = total_used + p_used,
           total_reversed = total_reversed + p_reversed, total_adjusted = total_adjusted + p_adjusted,
           total_expired = total_expired + p_expired, updated_at = p_at,
           usage_in_month = CASE WHEN p_used = 0 THEN usage_in_month
                                 WHEN usage_month = v_month THEN usage_in_month + p_used ELSE p_used END,
           usage_month = CASE WHEN p_used = 0 THEN usage_month ELSE v_month END
     WHERE user_id = p_user AND (p_allow_negative OR balance - reserved >= p_tokens)
       -- The spend limit, in the same statement: usage this month plus this debit stays within it.
       AND (p_allow_negative OR p_used = 0 OR usage_limit IS NULL
            OR CASE WHEN usage_month = v_month THEN usage_in_month ELSE 0 END + p_used <= usage_limit)
     RETURNING balance, last_seq, lot_draw INTO v_balance, v_seq, v_draw;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    IF v_draw > 0 THEN
        PERFORM lot_draw_settle(p_user);
    END IF;
    -- A refund or dispute takes back its purchase's own tokens first, then (when those were spent)
    -- the others in draw order: it never eats a promotion while the paid tokens stay.
    IF p_purchase_id IS NOT NULL AND p_kind IN ('refund', 'dispute') THEN
        FOR v_lot IN SELECT id, remaining FROM token_lot WHERE user_id = p_user AND closed_at IS NULL
                     ORDER BY (source = 'purchase' AND purchase_id = p_purchase_id) DESC, priority, expires_at NULLS LAST, id LOOP
            EXIT WHEN v_left = 0;
            v_take := least(v_left, v_lot.remaining);
            UPDATE token_lot SET remaining = remaining - v_take,
                   closed_at = CASE WHEN remaining = v_take THEN p_at END,
                   closed_reason = CASE WHEN remaining = v_take THEN 'reversed' END
             WHERE user_id = p_user AND id = v_lot.id;
            v_left := v_left - v_take;
        END LOOP;
        IF v_left > 0 THEN
            UPDATE token_balance SET debt = debt + v_left WHERE user_id = p_user;
        END IF;
        INSERT INTO token_transaction (user_id, seq, kind, amount, balance_after, purchase_id, idempotency_key, posting_ref, description,
                                       created_at)
        VALUES (p_user, v_seq, p_kind, -p_tokens, v_balance, p_purchase_id, p_key, p_ref, p_description, p_at) RETURNING * INTO v_entry;
        RETURN NEXT v_entry;
        RETURN;
    END IF;
    -- Usually the first lot in draw order covers the whole debit: one statement.
    UPDATE token_lot l SET remaining = l.remaining - p_tokens,
           closed_at = CASE WHEN l.remaining = p_tokens THEN p_at END,
           closed_reason = CASE WHEN l.remaining = p_tokens THEN 'used' END
     WHERE l.user_id = p_user
       AND l.id = (SELECT f.id FROM token_lot f WHERE f.user_id = p_user AND f.closed_at IS NULL
                    ORDER BY f.priority, f.expires_at NULLS LAST, f.id LIMIT 1)
       AND l.remaining >= p_tokens;
    IF NOT FOUND THEN
        PERFORM lots_draw(p_user, p_tokens, p_at);
    END IF;
    INSERT INTO token_transaction (user_id, seq, kind, amount, balance_after, purchase_id, idempotency_key, posting_ref, description,
                                   created_at)
    VALUES (p_user, v_seq, p_kind, -p_tokens, v_balance, p_purchase_id, p_key, p_ref, p_description, p_at) RETURNING * INTO v_entry;
    RETURN NEXT v_entry;
END;
$$;

CREATE OR REPLACE FUNCTION reservation_end(p_user text, p_id bigint, p_actual bigint, p_description text, p_at timestamptz,
        p_status text)
    RETURNS TABLE (r_outcome text, r_hold token_reservation, r_entry token_transaction)
    LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    v_hold    token_reservation;
    v_entry   token_transaction;
    v_status  text := p_status;
    v_debit   bigint := 0;
    v_balance bigint;
    v_seq     bigint;
    v_draw    bigint;
    v_month   date := date_trunc('month', p_at AT TIME ZONE 'UTC')::date;
BEGIN
    -- Balance first, then the hold: the same lock order as every other posting.
    SELECT b.lot_draw INTO v_draw FROM token_balance b WHERE b.user_id = p_user FOR UPDATE;
    SELECT * INTO v_hold FROM token_reservation r WHERE r.user_id = p_user AND r.id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'unknown'::text, NULL::token_reservation, NULL::token_transaction;
        RETURN;
    END IF;
    IF p_status = 'settled' AND p_actual > v_hold.amount THEN
        RETURN QUERY SELECT 'too_many'::text, v_hold, NULL::token_transaction;
        RETURN;
    END IF;
    IF v_hold.status <> 'active' THEN
        -- Ended before (or by a racing call that held the lock first): this call changes nothing.
        IF v_hold.entry_id IS NOT NULL THEN
            SELECT * INTO v_entry FROM token_transaction e WHERE e.user_id = p_user AND e.id = v_hold.entry_id;
        END IF;
        RETURN QUERY SELECT 'already_' || v_hold.status, v_hold, v_entry;
        RETURN;
    END IF;
    IF v_status = 'settled' AND v_hold.expires_at <= p_at THEN
        v_status := 'expired';
    END IF;
    IF v_status = 'settled' THEN
        -- As before: a settlement of no tokens (or none given) posts no entry.
        v_debit := greatest(coalesce(p_actual, 0), 0);
    END IF;

    -- The hold released and its usage debited in one statement; settlements are never refused.
    UPDATE token_balance SET reserved = reserved - v_hold.amount, balance = balance - v_debit,
           last_seq = last_seq + sign(v_debit)::bigint, total_used = total_used + v_debit, updated_at = p_at,
           usage_in_month = CASE WHEN v_debit = 0 THEN usage_in_month
                                 WHEN usage_month = v_month THEN usage_in_month + v_debit ELSE v_debit END,
           usage_month = CASE WHEN v_debit = 0 THEN usage_month ELSE v_month END
     WHERE user_id = p_user
     RETURNING balance, last_seq INTO v_balance, v_seq;
    IF v_debit > 0 THEN
        IF v_draw > 0 THEN
            PERFORM lot_draw_settle(p_user);
        END IF;
        -- The draw order of ledger_debit: usually the first lot covers it, in one statement.
        UPDATE token_lot l SET remaining = l.remaining - v_debit,
               closed_at = CASE WHEN l.remaining = v_debit THEN p_at END,
               closed_reason = CASE WHEN l.remaining = v_debit THEN 'used' END
         WHERE l.user_id = p_user
           AND l.id = (SELECT f.id FROM token_lot f WHERE f.user_id = p_user AND f.closed_at IS NULL
                        ORDER BY f.priority, f.expires_at NULLS LAST, f.id LIMIT 1)
           AND l.remaining >= v_debit;
        IF NOT FOUND THEN
            PERFORM lots_draw(p_user, v_debit, p_at);
        END IF;
        INSERT INTO token_transaction (user_id, seq, kind, amount, balance_after, posting_ref, description, created_at)
        VALUES (p_user, v_seq, 'usage', -v_debit, v_balance, 'reservation-' || v_hold.id,
                coalesce(nullif(p_description, ''), v_hold.description), p_at)
        RETURNING * INTO v_entry;
    END IF;
    UPDATE token_reservation r SET status = v_status, settled_tokens = CASE WHEN v_status = 'settled' THEN p_actual END,
           entry_id = v_entry.id, updated_at = p_at
     WHERE r.user_id = p_user AND r.id = p_id
     RETURNING * INTO v_hold;
    RETURN QUERY SELECT v_status, v_hold, v_entry;
END;
$$;

CREATE OR REPLACE FUNCTION lot_close(p_user text, p_lot_id bigint, p_kind text, p_description text, p_at timestamptz, p_reason text,
        p_granted bigint, p_expired bigint)
    RETURNS SETOF token_transaction LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    v_lot      token_lot;
    v_balance  bigint;
    v_reserved bigint;
    v_draw     bigint;
    v_seq      bigint;
    v_take     bigint;
    v_entry    token_transaction;
BEGIN
    SELECT b.balance, b.reserved, b.lot_draw INTO v_balance, v_reserved, v_draw FROM token_balance b WHERE b.user_id = p_user
       FOR UPDATE;
    -- The lot as the draws made before left it (they may have emptied it).
    IF v_draw > 0 THEN
        PERFORM lot_draw_settle(p_user);
    END IF;
    SELECT * INTO v_lot FROM token_lot l WHERE l.user_id = p_user AND l.id = p_lot_id;
    IF NOT FOUND OR v_lot.closed_at IS NOT NULL THEN
        RETURN;
    END IF;
    v_take := least(v_lot.remaining, greatest(0, v_balance - v_reserved));
    IF v_take = 0 THEN
        RETURN;
    END IF;
    UPDATE token_lot l SET remaining = l.remaining - v_take,
           closed_at = CASE WHEN l.remaining = v_take THEN p_at END,
           closed_reason = CASE WHEN l.remaining = v_take THEN p_reason END
     WHERE l.user_id = p_user AND l.id = p_lot_id;
    -- p_granted and p_expired are signed as the totals grow (a void takes back granted tokens).
    UPDATE token_balance b SET balance = b.balance - v_take, last_seq = b.last_seq + 1,
           total_expired = b.total_expired + CASE WHEN p_expired <> 0 THEN v_take ELSE 0 END,
           total_granted = b.total_granted - CASE WHEN p_granted <> 0 THEN v_take ELSE 0 END,
           updated_at = p_at
     WHERE b.user_id = p_user RETURNING b.balance, b.last_seq INTO v_balance, v_seq;
    INSERT INTO token_transaction (user_id, seq, kind, amount, balance_after, purchase_id, posting_ref, description, created_at)
    VALUES (p_user, v_seq, p_kind, -v_take, v_balance, v_lot.purchase_id,
            p_kind || '-lot-' || p_lot_id || '-' || v_lot.remaining, p_description, p_at) RETURNING * INTO v_entry;
    RETURN NEXT v_entry;
END;
$$;

CREATE OR REPLACE FUNCTION ledger_debit_batch(p_users text[], p_tokens bigint[], p_keys text[], p_descriptions text[], p_at timestamptz,
        p_read_keys boolean)
    RETURNS TABLE (r_ord integer, r_outcome text, r_available bigint, id bigint, user_id text, seq bigint, kind text, amount bigint,
                   balance_after bigint, purchase_id bigint, idempotency_key text, posting_ref text, description text,
                   created_at timestamptz)
    LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
#variable_conflict use_column
DECLARE
    n            integer := coalesce(cardinality(p_users), 0);
    v_order      integer[];
    v_existing   boolean[];
    v_reused     integer[];

    v_outcome    text[];
    v_after      bigint[];
    v_seqs       bigint[];
    v_available  bigint[];
    v_posted     integer[] := '{}';
    s_users      text[];
    s_balance    bigint[];
    s_reserved   bigint[];
    s_used       bigint[];
    s_seq        bigint[];
    s_limit      bigint[];
    s_month_used bigint[];
    v_month      date := date_trunc('month', p_at AT TIME ZONE 'UTC')::date;
    v_idx        integer;
    v_user       text;
    v_current    text;
    v_si         integer;
    v_keys       text[];
BEGIN
    IF n = 0 THEN
        RETURN;
    END IF;
    v_outcome := array_fill(NULL::text, ARRAY[n]);
    v_after := array_fill(NULL::bigint, ARRAY[n]);
    v_seqs := array_fill(NULL::bigint, ARRAY[n]);
    v_available := array_fill(0::bigint, ARRAY[n]);
    -- Keys used before, when asked: read before the locks are taken (see V3).
    IF p_read_keys THEN
        SELECT array_agg(t.id IS NOT NULL ORDER BY i.ord) INTO v_existing
          FROM unnest(p_users, p_keys) WITH ORDINALITY AS i(u, k, ord)
          LEFT JOIN token_transaction t ON t.user_id = i.u AND t.idempotency_key = i.k;
    ELSE
        v_existing := array_fill(false, ARRAY[n]);
    END IF;
    -- Every balance row of the batch, locked in user order: concurrent batches cannot deadlock.
    SELECT array_agg(b.user_id ORDER BY b.user_id), array_agg(b.balance ORDER BY b.user_id),
           array_agg(b.reserved ORDER BY b.user_id), array_agg(0::bigint ORDER BY b.user_id), array_agg(b.last_seq ORDER BY b.user_id),
           array_agg(b.usage_limit ORDER BY b.user_id),
           array_agg(CASE WHEN b.usage_month = v_month THEN b.usage_in_month ELSE 0 END ORDER BY b.user_id)
      INTO s_users, s_balance, s_reserved, s_used, s_seq, s_limit, s_month_used
      FROM (SELECT bb.user_id, bb.balance, bb.reserved, bb.last_seq, bb.usage_limit, bb.usage_month, bb.usage_in_month
              FROM token_balance bb WHERE bb.user_id = ANY(p_users)
             ORDER BY bb.user_id FOR UPDATE) b;
    SELECT array_agg(i.ord::integer ORDER BY i.u, i.ord) INTO v_order FROM unnest(p_users) WITH ORDINALITY AS i(u, ord);

    FOREACH v_idx IN ARRAY v_order LOOP
        v_user := p_users[v_idx];
        IF v_current IS DISTINCT FROM v_user THEN
            v_current := v_user;
            v_si := array_position(s_users, v_user);
            v_keys := '{}';
        END IF;
        IF v_existing[v_idx] OR p_keys[v_idx] = ANY(v_keys) THEN
            v_outcome[v_idx] := 'duplicate';
            CONTINUE;
        END IF;
        IF v_si IS NOT NULL AND s_limit[v_si] IS NOT NULL
           AND s_month_used[v_si] + s_used[v_si] + p_tokens[v_idx] > s_limit[v_si]
           AND s_balance[v_si] - s_reserved[v_si] >= p_tokens[v_idx] THEN
            v_outcome[v_idx] := 'limit';
            v_available[v_idx] := greatest(0, s_balance[v_si] - s_reserved[v_si]);
            CONTINUE;
        END IF;
        IF v_si IS NOT NULL AND s_balance[v_si] - s_reserved[v_si] >= p_tokens[v_idx] THEN
            s_balance[v_si] := s_balance[v_si] - p_tokens[v_idx];
            s_used[v_si] := s_used[v_si] + p_tokens[v_idx];
            s_seq[v_si] := s_seq[v_si] + 1;
            v_after[v_idx] := s_balance[v_si];
            v_seqs[v_idx] := s_seq[v_si];
        ELSE
            v_outcome[v_idx] := 'insufficient';
            v_available[v_idx] := CASE WHEN v_si IS NULL THEN 0 ELSE greatest(0, s_balance[v_si] - s_reserved[v_si]) END;
            CONTINUE;
        END IF;
        v_outcome[v_idx] := 'posted';
        v_keys := v_keys || p_keys[v_idx];
        v_posted := v_posted || v_idx;
    END LOOP;
    -- Without the read, an item refused for its balance or limit never reaches the insert: when its
    -- key was used before, it is a duplicate (neither changed anything, so the other items stand).
    IF NOT p_read_keys AND ('insufficient' = ANY(v_outcome) OR 'limit' = ANY(v_outcome)) THEN
        SELECT array_agg(i.ord::integer) INTO v_reused
          FROM unnest(p_users, p_keys, v_outcome) WITH ORDINALITY AS i(u, k, outcome, ord)
         WHERE i.outcome IN ('insufficient', 'limit')
           AND EXISTS (SELECT 1 FROM token_transaction t WHERE t.user_id = i.u AND t.idempotency_key = i.k);
        FOREACH v_idx IN ARRAY coalesce(v_reused, '{}') LOOP
            v_existing[v_idx] := true;
            v_outcome[v_idx] := 'duplicate';
            v_available[v_idx] := 0;
        END LOOP;
    END IF;

    -- The usage joins the pending draw; the lots are left for lot_draw_settle.
    IF s_users IS NOT NULL THEN
        UPDATE token_balance b SET balance = x.balance, total_used = b.total_used + x.used, last_seq = x.seq, updated_at = p_at,
               usage_in_month = CASE WHEN b.usage_month = v_month THEN b.usage_in_month + x.used ELSE x.used END,
               usage_month = v_month, lot_draw = b.lot_draw + x.used, lot_drawn_at = p_at
          FROM unnest(s_users, s_balance, s_used, s_seq) AS x(u, balance, used, seq)
         WHERE b.user_id = x.u AND x.used > 0;
    END IF;

    -- Posted items and their in-batch repeats get the entry just inserted; earlier repeats the stored one.
    RETURN QUERY
        WITH inserted AS (
            INSERT INTO token_transaction (user_id, seq, kind, amount, balance_after, idempotency_key, description, created_at)
            SELECT p_users[o], v_seqs[o], 'usage', -p_tokens[o], v_after[o], p_keys[o], p_descriptions[o], p_at
              FROM unnest(v_posted) AS o ORDER BY o
            RETURNING *)
        SELECT i.ord::integer, v_outcome[i.ord], v_available[i.ord], coalesce(n.id, t.id), i.u, coalesce(n.seq, t.seq),
               coalesce(n.kind, t.kind), coalesce(n.amount, t.amount), coalesce(n.balance_after, t.balance_after),
               coalesce(n.purchase_id, t.purchase_id), i.k, coalesce(n.posting_ref, t.posting_ref),
               coalesce(n.description, t.description), coalesce(n.created_at, t.created_at)
          FROM unnest(p_users, p_keys) WITH ORDINALITY AS i(u, k, ord)
          LEFT JOIN inserted n ON n.user_id = i.u AND n.idempotency_key = i.k
          LEFT JOIN LATERAL (SELECT e.* FROM token_transaction e
                              WHERE v_existing[i.ord] AND e.user_id = i.u AND e.idempotency_key = i.k) t ON true
         ORDER BY i.ord;
END;
$$;
