-- Holds respect the spend limit. A hold is tokens set aside for usage in flight; its settlement is
-- never refused (V8), so a hold that the limit had no say over let metered usage (reserve, then
-- settle) pass the limit unchecked. Now a hold is refused ('limit') when the month's usage, the
-- user's active holds and the hold together would pass the limit: holds and their settlements alone
-- never take a month's usage past it. As with debits, too few tokens is answered 'insufficient'
-- whatever the limit, and a key used before is a duplicate. The refusal carries the limit, the
-- month's usage and what is held, read under the lock. Lapsed holds are still swept first (their
-- tokens no longer count). Same lock order as V10: the balance row, then the hold.

CREATE FUNCTION reservation_reserve(p_user text, p_tokens bigint, p_key text, p_description text,
        p_expires_at timestamptz, p_at timestamptz, p_check_limit boolean)
    RETURNS TABLE (r_outcome text, r_available bigint, r_hold token_reservation, r_limit bigint, r_used bigint,
                   r_held bigint)
    LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    v_hold     token_reservation;
    v_balance  bigint;
    v_reserved bigint;
    v_limit    bigint;
    v_used     bigint;
    v_lapsed   bigint := 0;
    v_outcome  text := 'insufficient';
BEGIN
    SELECT * INTO v_hold FROM token_reservation r WHERE r.user_id = p_user AND r.idempotency_key = p_key;
    IF FOUND THEN
        RETURN QUERY SELECT 'duplicate'::text, 0::bigint, v_hold, NULL::bigint, NULL::bigint, NULL::bigint;
        RETURN;
    END IF;
    SELECT b.balance, b.reserved, b.usage_limit,
           CASE WHEN b.usage_month = date_trunc('month', p_at AT TIME ZONE 'UTC')::date THEN b.usage_in_month ELSE 0 END
      INTO v_balance, v_reserved, v_limit, v_used
      FROM token_balance b WHERE b.user_id = p_user FOR UPDATE;
    IF NOT FOUND THEN
        RETURN QUERY SELECT 'insufficient'::text, 0::bigint, NULL::token_reservation, NULL::bigint, NULL::bigint,
                            NULL::bigint;
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
        IF p_check_limit AND v_limit IS NOT NULL AND v_used + v_reserved + p_tokens > v_limit THEN
            v_outcome := 'limit';
        ELSE
            -- A racing call with the same key may have committed since the first lookup: the key decides.
            INSERT INTO token_reservation (user_id, amount, status, idempotency_key, description, expires_at, created_at,
                                           updated_at)
            VALUES (p_user, p_tokens, 'active', p_key, p_description, p_expires_at, p_at, p_at)
            ON CONFLICT (user_id, idempotency_key) DO NOTHING
            RETURNING * INTO v_hold;
            IF FOUND THEN
                UPDATE token_balance b SET reserved = v_reserved + p_tokens, updated_at = p_at WHERE b.user_id = p_user;
                RETURN QUERY SELECT 'reserved'::text, greatest(0, v_balance - v_reserved - p_tokens), v_hold,
                                    NULL::bigint, NULL::bigint, NULL::bigint;
                RETURN;
            END IF;
        END IF;
    END IF;
    IF v_lapsed > 0 THEN
        UPDATE token_balance b SET reserved = v_reserved, updated_at = p_at WHERE b.user_id = p_user;
    END IF;
    SELECT * INTO v_hold FROM token_reservation r WHERE r.user_id = p_user AND r.idempotency_key = p_key;
    IF FOUND THEN
        RETURN QUERY SELECT 'duplicate'::text, 0::bigint, v_hold, NULL::bigint, NULL::bigint, NULL::bigint;
    ELSE
        RETURN QUERY SELECT v_outcome, greatest(0, v_balance - v_reserved), NULL::token_reservation, v_limit, v_used,
                            v_reserved;
    END IF;
END;
$$;

-- The six-argument form keeps its meaning (the limit has no say over a hold), for callers of an
-- earlier version.
CREATE OR REPLACE FUNCTION reservation_reserve(p_user text, p_tokens bigint, p_key text, p_description text,
        p_expires_at timestamptz, p_at timestamptz)
    RETURNS TABLE (r_outcome text, r_available bigint, r_hold token_reservation)
    LANGUAGE sql SET search_path FROM CURRENT AS $$
    SELECT f.r_outcome, f.r_available, f.r_hold
      FROM reservation_reserve(p_user, p_tokens, p_key, p_description, p_expires_at, p_at, false) f;
$$;
