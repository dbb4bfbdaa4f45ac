-- Functions that also run on Citus, where each posting function is delegated to the worker holding
-- the user's shard and Citus plans its statements there: a SQL-language function with parameters
-- cannot be planned that way (PL/pgSQL can), a join must be on user_id, and a batch's set-based
-- statements over many users cannot be routed to one shard. Same results on a single server.

CREATE OR REPLACE FUNCTION ledger_posted(p_user text, p_key text, p_ref text)
    RETURNS boolean LANGUAGE plpgsql STABLE SET search_path FROM CURRENT AS $$
BEGIN
    RETURN (p_key IS NOT NULL AND EXISTS (SELECT 1 FROM token_transaction WHERE user_id = p_user AND idempotency_key = p_key))
        OR (p_ref IS NOT NULL AND EXISTS (SELECT 1 FROM token_transaction WHERE user_id = p_user AND posting_ref = p_ref));
END;
$$;

-- ledger_debit_batch for users who share one shard (p_route is any one of them; Citus runs the call on
-- that shard's worker): each item through ledger_debit, users in order (so that concurrent batches
-- cannot deadlock), with the outcomes of ledger_debit_batch in the caller's order. Used on Citus only.
CREATE FUNCTION ledger_debit_batch_colocated(p_route text, p_users text[], p_tokens bigint[], p_keys text[], p_descriptions text[],
        p_at timestamptz)
    RETURNS TABLE (r_ord integer, r_outcome text, r_available bigint, id bigint, user_id text, seq bigint, kind text, amount bigint,
                   balance_after bigint, purchase_id bigint, idempotency_key text, posting_ref text, description text,
                   created_at timestamptz)
    LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
#variable_conflict use_column
DECLARE
    n          integer := coalesce(cardinality(p_users), 0);
    v_month    date := date_trunc('month', p_at AT TIME ZONE 'UTC')::date;
    v_idx      integer;
    v_entry    token_transaction;
    v_entries  token_transaction[];
    v_outcome  text[];
    v_avail    bigint[];
    v_free     bigint;
    v_limited  boolean;
BEGIN
    IF n = 0 THEN
        RETURN;
    END IF;
    v_outcome := array_fill(NULL::text, ARRAY[n]);
    v_avail := array_fill(0::bigint, ARRAY[n]);
    v_entries := array_fill(NULL::token_transaction, ARRAY[n]);
    FOR v_idx IN SELECT i.ord FROM unnest(p_users) WITH ORDINALITY AS i(u, ord) ORDER BY i.u, i.ord LOOP
        SELECT * INTO v_entry FROM ledger_debit(p_users[v_idx], 'usage', p_tokens[v_idx], false, NULL, p_keys[v_idx], NULL,
                                                p_descriptions[v_idx], p_at, 0, p_tokens[v_idx], 0, 0, 0);
        IF FOUND THEN
            v_outcome[v_idx] := 'posted';
            v_entries[v_idx] := v_entry;
            CONTINUE;
        END IF;
        -- Refused: the key was used (before or earlier in this batch), or the balance or the limit said no.
        SELECT * INTO v_entry FROM token_transaction e WHERE e.user_id = p_users[v_idx] AND e.idempotency_key = p_keys[v_idx];
        IF FOUND THEN
            v_outcome[v_idx] := 'duplicate';
            v_entries[v_idx] := v_entry;
            CONTINUE;
        END IF;
        SELECT b.balance - b.reserved,
               b.usage_limit IS NOT NULL
                   AND CASE WHEN b.usage_month = v_month THEN b.usage_in_month ELSE 0 END + p_tokens[v_idx] > b.usage_limit
          INTO v_free, v_limited
          FROM token_balance b WHERE b.user_id = p_users[v_idx];
        v_outcome[v_idx] := CASE WHEN v_free >= p_tokens[v_idx] AND v_limited THEN 'limit' ELSE 'insufficient' END;
        v_avail[v_idx] := greatest(0, coalesce(v_free, 0));
    END LOOP;
    RETURN QUERY
        SELECT i.ord::integer, v_outcome[i.ord], v_avail[i.ord], (v_entries[i.ord]).id, p_users[i.ord], (v_entries[i.ord]).seq,
               (v_entries[i.ord]).kind, (v_entries[i.ord]).amount, (v_entries[i.ord]).balance_after, (v_entries[i.ord]).purchase_id,
               p_keys[i.ord], (v_entries[i.ord]).posting_ref, (v_entries[i.ord]).description, (v_entries[i.ord]).created_at
          FROM generate_series(1, n) AS i(ord)
         ORDER BY i.ord;
END;
$$;

-- reservation_end of V5, reading the hold and its entry by key rather than with a join (a join with
-- no entry to find is one Citus cannot route).
CREATE OR REPLACE FUNCTION reservation_end(p_user text, p_id bigint, p_actual bigint, p_description text, p_at timestamptz,
        p_status text)
    RETURNS TABLE (r_outcome text, r_hold token_reservation, r_entry token_transaction)
    LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    v       record;
    v_hold  token_reservation;
    v_entry token_transaction;
BEGIN
    -- A hold's amount never changes: checked without a lock.
    SELECT * INTO v_hold FROM token_reservation r WHERE r.user_id = p_user AND r.id = p_id;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'unknown'::text, NULL::token_reservation, NULL::token_transaction;
        RETURN;
    END IF;
    IF p_status = 'settled' AND p_actual > v_hold.amount THEN
        RETURN QUERY SELECT 'too_many'::text, v_hold, NULL::token_transaction;
        RETURN;
    END IF;
    SELECT * INTO v FROM reservation_finish(p_user, p_id, p_actual, p_description, p_at, p_status);
    SELECT * INTO v_hold FROM token_reservation r WHERE r.user_id = p_user AND r.id = p_id;
    IF v.r_entry_id IS NULL THEN
        RETURN QUERY SELECT v.r_outcome, v_hold, NULL::token_transaction;
        RETURN;
    END IF;
    SELECT * INTO v_entry FROM token_transaction e WHERE e.user_id = p_user AND e.id = v.r_entry_id;
    RETURN QUERY SELECT v.r_outcome, v_hold, v_entry;
END;
$$;
