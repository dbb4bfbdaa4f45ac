package dev.tokenbilling.model;

import java.util.Locale;

/** Why a ledger entry moved tokens. Credits are positive entries, debits negative. */
public enum LedgerEntryKind {
    /** A completed purchase credited its tokens. */
    PURCHASE,
    /** Metered usage debited tokens ({@code consume}). */
    USAGE,
    /** An admin or promotional credit. */
    GRANT,
    /** A subscription tier's allowance for one billing period; it expires with the period. */
    ALLOWANCE,
    /** An admin correction, either sign. */
    ADJUSTMENT,
    /** A Stripe refund took tokens back. */
    REFUND,
    /** A dispute (chargeback) took tokens back. */
    DISPUTE,
    /** A dispute closed in the merchant's favour gave the tokens back. */
    DISPUTE_REVERSAL,
    /** A refund that failed or was canceled gave back the tokens it had taken. */
    REFUND_REVERSAL,
    /** Tokens left the balance because they expired. */
    EXPIRY,
    /** What remained of a grant was voided by an admin. */
    VOID;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static LedgerEntryKind fromWireName(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
