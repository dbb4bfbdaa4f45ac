-- Spend limits: at most usage_limit tokens of usage per calendar month (UTC) per user, checked in
-- the same statement as each debit. usage_in_month counts the usage of usage_month (kept for every
-- user, so that a limit set mid-month counts the month's earlier usage). Settlements of holds and
-- reversals are never refused by the limit; a settlement's usage counts towards it.
ALTER TABLE token_balance ADD COLUMN usage_limit bigint CHECK (usage_limit > 0),
                          ADD COLUMN usage_month date,
                          ADD COLUMN usage_in_month bigint NOT NULL DEFAULT 0 CHECK (usage_in_month >= 0);

CREATE OR REPLACE FUNCTION ledger_debit(p_user text, p_kind text, p_tokens bigint, p_allow_negative boolean, p_purchase_id bigint,
        p_key text, p_ref text, p_description text, p_at timestamptz, p_granted bigint, p_used bigint, p_reversed bigint,
        p_adjusted bigint, p_expired bigint)
    RETURNS SETOF token_transaction LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    v_balance  bigint;
    v_seq      bigint;
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
     RETURNING balance, last_seq INTO v_balance, v_seq;
    IF NOT FOUND THEN
        RETURN;
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
        FOR v_lot IN SELECT id, remaining FROM token_lot WHERE user_id = p_user AND closed_at IS NULL
                     ORDER BY priority, expires_at NULLS LAST, id LOOP
            EXIT WHEN v_left = 0;
            v_take := least(v_left, v_lot.remaining);
            UPDATE token_lot SET remaining = remaining - v_take,
                   closed_at = CASE WHEN remaining = v_take THEN p_at END,
                   closed_reason = CASE WHEN remaining = v_take THEN 'used' END
             WHERE user_id = p_user AND id = v_lot.id;
            v_left := v_left - v_take;
        END LOOP;
        IF v_left > 0 THEN
            UPDATE token_balance SET debt = debt + v_left WHERE user_id = p_user;
        END IF;
    END IF;
    INSERT INTO token_transaction (user_id, seq, kind, amount, balance_after, purchase_id, idempotency_key, posting_ref, description,
                                   created_at)
    VALUES (p_user, v_seq, p_kind, -p_tokens, v_balance, p_purchase_id, p_key, p_ref, p_description, p_at) RETURNING * INTO v_entry;
    RETURN NEXT v_entry;
END;
$$;

-- The batch keeps each item's limit in list order, like its balance: 'limit' refuses an item.
CREATE OR REPLACE FUNCTION ledger_debit_batch(p_users text[], p_tokens bigint[], p_keys text[], p_descriptions text[], p_at timestamptz)
    RETURNS TABLE (r_ord integer, r_outcome text, r_available bigint, id bigint, user_id text, seq bigint, kind text, amount bigint,
                   balance_after bigint, purchase_id bigint, idempotency_key text, posting_ref text, description text,
                   created_at timestamptz)
    LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
#variable_conflict use_column
DECLARE
    n            integer := coalesce(cardinality(p_users), 0);
    v_order      integer[];
    v_existing   boolean[];

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
    v_seqs := array_fill(NULL::bigint, ARRAY[n]);
    v_available := array_fill(0::bigint, ARRAY[n]);
    -- Keys used before, read before the locks are taken (see the note at the top).
    SELECT array_agg(t.id IS NOT NULL ORDER BY i.ord) INTO v_existing
      FROM unnest(p_users, p_keys) WITH ORDINALITY AS i(u, k, ord)
      LEFT JOIN token_transaction t ON t.user_id = i.u AND t.idempotency_key = i.k;
    -- Every balance row of the batch, locked in user order: concurrent batches cannot deadlock.
    SELECT array_agg(b.user_id ORDER BY b.user_id), array_agg(b.balance ORDER BY b.user_id),
           array_agg(b.reserved ORDER BY b.user_id), array_agg(0::bigint ORDER BY b.user_id), array_agg(b.last_seq ORDER BY b.user_id),
           array_agg(b.usage_limit ORDER BY b.user_id),
           array_agg(CASE WHEN b.usage_month = v_month THEN b.usage_in_month ELSE 0 END ORDER BY b.user_id)
      INTO s_users, s_balance, s_reserved, s_used, s_seq, s_limit, s_month_used
      FROM (SELECT bb.user_id, bb.balance, bb.reserved, bb.last_seq, bb.usage_limit, bb.usage_month, bb.usage_in_month
              FROM token_balance bb WHERE bb.user_id = ANY(p_users)
             ORDER BY bb.user_id FOR UPDATE) b;
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
        UPDATE token_balance b SET balance = x.balance, total_used = b.total_used + x.used, last_seq = x.seq, updated_at = p_at,
               usage_in_month = CASE WHEN b.usage_month = v_month THEN b.usage_in_month + x.used ELSE x.used END,
               usage_month = v_month
          FROM unnest(s_users, s_balance, s_used, s_seq) AS x(u, balance, used, seq)
         WHERE b.user_id = x.u AND x.used > 0;
    END IF;
    IF cardinality(v_posted) > 0 THEN
        UPDATE token_lot l SET remaining = x.remaining,
               closed_at = CASE WHEN x.remaining = 0 THEN p_at END,
               closed_reason = CASE WHEN x.remaining = 0 THEN 'used' END
          FROM unnest(l_users, l_ids, l_remaining, l_original) AS x(u, lot, remaining, original)
         WHERE l.user_id = x.u AND l.id = x.lot AND x.remaining <> x.original;
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
