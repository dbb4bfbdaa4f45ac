-- Holds in fewer statements: a hold and its settlement are the metered-usage pattern, two commits per
-- request, so each statement they save counts. Same signatures, outcomes and lock order (balance row
-- first, then the hold) as before.
--   reserve: done in the function itself (reservation_create, which it called, is dropped); the
--     lapsed-hold sweep runs only when the user has something reserved, and the unique key decides
--     a racing repeat (INSERT ... ON CONFLICT) instead of a second lookup under the lock.
--   end: the hold is read once, under the lock; a settlement moves the balance in one UPDATE (hold
--     released and usage debited together) and draws from the lots itself. Its posting reference
--     ('reservation-<id>') needs no lookup: the entry is written in the transaction that ends the
--     hold, so an active hold has none, and the unique index still guards it.

CREATE OR REPLACE FUNCTION reservation_reserve(p_user text, p_tokens bigint, p_key text, p_description text,
        p_expires_at timestamptz, p_at timestamptz)
    RETURNS TABLE (r_outcome text, r_available bigint, r_hold token_reservation)
    LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    v_hold     token_reservation;
    v_balance  bigint;
    v_reserved bigint;
    v_lapsed   bigint := 0;
BEGIN
    SELECT * INTO v_hold FROM token_reservation r WHERE r.user_id = p_user AND r.idempotency_key = p_key;
    IF FOUND THEN
        RETURN QUERY SELECT 'duplicate'::text, 0::bigint, v_hold;
        RETURN;
    END IF;
    SELECT b.balance, b.reserved INTO v_balance, v_reserved FROM token_balance b WHERE b.user_id = p_user FOR UPDATE;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'insufficient'::text, 0::bigint, NULL::token_reservation;
        RETURN;
    END IF;
    -- "reserved" is the sum of the active holds: with none, there is nothing to sweep.
    IF v_reserved > 0 THEN
        WITH lapsed AS (
            UPDATE token_reservation r SET status = 'expired', updated_at = p_at
             WHERE r.user_id = p_user AND r.status = 'active' AND r.expires_at <= p_at RETURNING r.amount)
        SELECT coalesce(sum(amount), 0) INTO v_lapsed FROM lapsed;
        v_reserved := v_reserved - v_lapsed;
    END IF;
    IF v_balance - v_reserved >= p_tokens THEN
        -- A racing call with the same key may have committed since the first lookup: the key decides.
        INSERT INTO token_reservation (user_id, amount, status, idempotency_key, description, expires_at, created_at, updated_at)
        VALUES (p_user, p_tokens, 'active', p_key, p_description, p_expires_at, p_at, p_at)
        ON CONFLICT (user_id, idempotency_key) DO NOTHING
        RETURNING * INTO v_hold;
        IF FOUND THEN
            UPDATE token_balance b SET reserved = v_reserved + p_tokens, updated_at = p_at WHERE b.user_id = p_user;
            RETURN QUERY SELECT 'reserved'::text, greatest(0, v_balance - v_reserved - p_tokens), v_hold;
            RETURN;
        END IF;
    END IF;
    IF v_lapsed > 0 THEN
        UPDATE token_balance b SET reserved = v_reserved, updated_at = p_at WHERE b.user_id = p_user;
    END IF;
    SELECT * INTO v_hold FROM token_reservation r WHERE r.user_id = p_user AND r.idempotency_key = p_key;
    IF FOUND THEN
        RETURN QUERY SELECT 'duplicate'::text, 0::bigint, v_hold;
    ELSE
        RETURN QUERY SELECT 'insufficient'::text, greatest(0, v_balance - v_reserved), NULL::token_reservation;
    END IF;
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
    v_left    bigint;
    v_take    bigint;
    v_lot     record;
    v_month   date := date_trunc('month', p_at AT TIME ZONE 'UTC')::date;
BEGIN
    -- Balance first, then the hold: the same lock order as every other posting.
    PERFORM 1 FROM token_balance b WHERE b.user_id = p_user FOR UPDATE;
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
        -- The draw order of ledger_debit: usually the first lot covers it, in one statement.
        UPDATE token_lot l SET remaining = l.remaining - v_debit,
               closed_at = CASE WHEN l.remaining = v_debit THEN p_at END,
               closed_reason = CASE WHEN l.remaining = v_debit THEN 'used' END
         WHERE l.user_id = p_user
           AND l.id = (SELECT f.id FROM token_lot f WHERE f.user_id = p_user AND f.closed_at IS NULL
                        ORDER BY f.priority, f.expires_at NULLS LAST, f.id LIMIT 1)
           AND l.remaining >= v_debit;
        IF NOT FOUND THEN
            v_left := v_debit;
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

-- reservation_reserve no longer calls it, and nothing else does.
DROP FUNCTION reservation_create(text, bigint, text, text, timestamptz, timestamptz);
