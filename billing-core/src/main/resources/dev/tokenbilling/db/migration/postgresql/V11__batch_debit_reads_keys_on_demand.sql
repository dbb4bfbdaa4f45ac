-- A batch of debits reads which of its keys were used before only when asked. Reading them costs
-- each item an index lookup, about a tenth of what a batch costs PostgreSQL, and a key is rarely used
-- twice, so the library posts a batch without the read first: a key used before then fails the entry
-- insert on the unique key index (the whole call rolls back) and the library posts the batch again,
-- with the read. An item refused for its balance or limit never reaches the insert: only those have
-- their keys read, after the loop. Inside a transaction of the caller, where a failed statement would
-- end the transaction, the library always asks for the read. Same outcomes, results and lock order as V8.

CREATE FUNCTION ledger_debit_batch(p_users text[], p_tokens bigint[], p_keys text[], p_descriptions text[], p_at timestamptz,
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

-- The five-argument form keeps its meaning (it always reads the keys), for callers of an earlier version.
CREATE OR REPLACE FUNCTION ledger_debit_batch(p_users text[], p_tokens bigint[], p_keys text[], p_descriptions text[], p_at timestamptz)
    RETURNS TABLE (r_ord integer, r_outcome text, r_available bigint, id bigint, user_id text, seq bigint, kind text, amount bigint,
                   balance_after bigint, purchase_id bigint, idempotency_key text, posting_ref text, description text,
                   created_at timestamptz)
    LANGUAGE sql SET search_path FROM CURRENT AS $$
    SELECT * FROM ledger_debit_batch(p_users, p_tokens, p_keys, p_descriptions, p_at, true);
$$;
