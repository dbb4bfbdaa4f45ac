-- A refund that fails (or is canceled) after it took tokens back gives them back: a ledger entry of
-- kind 'refund_reversal' that opens a lot on the purchase's own terms.
-- The CHECKs are swapped NOT VALID and validated afterwards, so a big ledger is scanned without
-- blocking writes (VALIDATE takes only a SHARE UPDATE EXCLUSIVE lock).
ALTER TABLE token_transaction DROP CONSTRAINT token_transaction_kind_check;
ALTER TABLE token_transaction ADD CONSTRAINT token_transaction_kind_check
    CHECK (kind IN ('purchase', 'usage', 'grant', 'adjustment', 'refund', 'dispute', 'dispute_reversal',
                    'refund_reversal', 'expiry', 'void')) NOT VALID;
ALTER TABLE token_transaction VALIDATE CONSTRAINT token_transaction_kind_check;

ALTER TABLE token_lot DROP CONSTRAINT token_lot_source_check;
ALTER TABLE token_lot ADD CONSTRAINT token_lot_source_check
    CHECK (source IN ('purchase', 'grant', 'adjustment', 'dispute_reversal', 'refund_reversal', 'migration')) NOT VALID;
ALTER TABLE token_lot VALIDATE CONSTRAINT token_lot_source_check;
