package dev.tokenbilling.model;

import java.util.Currency;
import java.util.Objects;
import java.util.Set;

/**
 * How Stripe writes an amount of each currency: its <em>exponent</em> (how many minor digits the integer
 * {@code amount} sent to Stripe has) and the step a charge amount must be a multiple of. These are Stripe's
 * rules, from its "Supported currencies" documentation, not ISO 4217's: {@link Currency#getDefaultFractionDigits()}
 * is wrong for Stripe in both directions (it says 2 for MGA, which Stripe takes in whole ariary, and 0 for ISK,
 * which Stripe takes in hundredths). Every conversion between major amounts ({@code 20.00}) and minor units in
 * this library goes through this class, by way of {@link Money}.
 *
 * <ul>
 *   <li>Zero-decimal (exponent 0): BIF, CLP, DJF, GNF, JPY, KMF, KRW, MGA, PYG, RWF, VND, VUV, XAF, XOF, XPF
 *       &mdash; ¥500 is {@code 500}.</li>
 *   <li>Three-decimal (exponent 3, charges a multiple of 10): BHD, JOD, KWD, OMR, TND &mdash; 5.120 KWD is
 *       {@code 5120}; 5.124 KWD cannot be charged.</li>
 *   <li>Whole units written with two decimals (exponent 2, charges a multiple of 100): ISK and UGX &mdash; 5 ISK is
 *       {@code 500}; 5.50 ISK cannot be charged.</li>
 *   <li>Everything else, HUF and TWD included: two decimals, any integer amount can be charged.</li>
 * </ul>
 */
public final class StripeCurrencies {

    /*
     * Stripe "Zero-decimal currencies": "the charge and the amount are the same, without requiring
     * multiplication. For example, to charge 500 JPY, provide an amount value of 500."
     * Stripe's list also names UGX, but UGX has its own entry under "Special cases" that says how to write
     * its amounts, and that more specific rule is the one applied (see WHOLE_UNITS_IN_HUNDREDTHS).
     */
    private static final Set<String> ZERO_DECIMAL = Set.of(
            "BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "VND", "VUV", "XAF", "XOF", "XPF");

    /*
     * Stripe "Three-decimal currencies": "The API supports three-decimal currencies for the standard payment
     * flows, including Payment Intents, Refunds, and Disputes. However, to ensure compatibility with Stripe's
     * payments partners, these API calls require the least-significant (last) digit to be 0." Stripe's example:
     * 5.124 KWD must become 5120 or 5130. This library refuses such an amount rather than round it.
     */
    private static final Set<String> THREE_DECIMAL = Set.of("BHD", "JOD", "KWD", "OMR", "TND");

    /*
     * Stripe "Special cases", Icelandic Króna (ISK) and Ugandan Shilling (UGX): each "transitioned to a
     * zero-decimal currency, but backward compatibility requires you to represent it as a two-decimal value,
     * where the decimal amount is always 00. For example, to charge 5 ISK, provide an amount value of 500.
     * You can't charge fractions of ISK" (and likewise of UGX). Stripe refuses other ISK amounts with
     * invalid_charge_amount_no_decimal_compatible ("charged amounts must be evenly divisible by 100").
     *
     * Stripe "Special cases", Hungarian Forint (HUF) and New Taiwan Dollar (TWD): Stripe "treats HUF [TWD] as a
     * zero-decimal currency for payouts, even though you can charge two-decimal amounts"; only a manual payout
     * must be divisible by 100. This library only charges, so both are ordinary two-decimal currencies here.
     */
    private static final Set<String> WHOLE_UNITS_IN_HUNDREDTHS = Set.of("ISK", "UGX");

    private StripeCurrencies() {}

    /**
     * How many minor digits Stripe's integer {@code amount} has for {@code currency}: 0 for JPY, 2 for USD, ISK,
     * HUF and any currency without a special rule, 3 for KWD.
     */
    public static int exponent(Currency currency) {
        String code = code(currency);
        if (ZERO_DECIMAL.contains(code)) {
            return 0;
        }
        if (THREE_DECIMAL.contains(code)) {
            return 3;
        }
        return 2;
    }

    /**
     * The step, in minor units, that every charge amount in {@code currency} must be a multiple of: 100 for ISK
     * and UGX (whole units only), 10 for the three-decimal currencies (last digit 0), 1 for all others.
     */
    public static long chargeIncrement(Currency currency) {
        String code = code(currency);
        if (WHOLE_UNITS_IN_HUNDREDTHS.contains(code)) {
            return 100;
        }
        if (THREE_DECIMAL.contains(code)) {
            return 10;
        }
        return 1;
    }

    /** True when Stripe accepts {@code minorUnits} as a charge amount in {@code currency} (its divisibility rule only). */
    public static boolean chargeable(long minorUnits, Currency currency) {
        return minorUnits % chargeIncrement(currency) == 0;
    }

    private static String code(Currency currency) {
        return Objects.requireNonNull(currency, "currency").getCurrencyCode();
    }
}
