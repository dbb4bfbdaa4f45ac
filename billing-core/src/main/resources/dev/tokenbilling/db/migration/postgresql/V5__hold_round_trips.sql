-- One round trip per hold call: reserving and ending a hold return the rows they left (the hold, and
-- the settlement's ledger entry) with their outcome, so the library reads nothing back afterwards.

CREATE FUNCTION reservation_reserve(p_user text, p_tokens bigint, p_key text, p_description text,
        p_expires_at timestamptz, p_at timestamptz)
    RETURNS TABLE (r_outcome text, r_available bigint, r_hold token_reservation)
    LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    v record;
BEGIN
    SELECT * INTO v FROM reservation_create(p_user, p_tokens, p_key, p_description, p_expires_at, p_at);
    RETURN QUERY SELECT v.r_outcome, v.r_available, r FROM token_reservation r WHERE r.user_id = p_user AND r.id = v.r_id;
    IF NOT FOUND THEN
        RETURN QUERY SELECT v.r_outcome, v.r_available, NULL::token_reservation;
    END IF;
END;
$$;

-- Ends a hold as reservation_finish does; settling more than the hold holds is the outcome
-- 'too_many' (nothing changes) rather than an error, so the caller can say how many were held.
CREATE FUNCTION reservation_end(p_user text, p_id bigint, p_actual bigint, p_description text, p_at timestamptz,
        p_status text)
    RETURNS TABLE (r_outcome text, r_hold token_reservation, r_entry token_transaction)
    LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
    v       record;
    v_hold  token_reservation;
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
    RETURN QUERY
        SELECT v.r_outcome, r, e
          FROM token_reservation r
          LEFT JOIN token_transaction e ON e.user_id = p_user AND e.id = v.r_entry_id
         WHERE r.user_id = p_user AND r.id = p_id;
END;
$$;
