package dev.tokenbilling.model;

import dev.tokenbilling.error.InvalidRequestException;
import java.math.BigDecimal;
import java.util.Currency;
import java.util.Objects;

/**
 * An exact amount of money: minor units and an ISO 4217 currency. Never a floating-point number.
 *
 * <p>{@code minorUnits} is the integer Stripe's API takes as {@code amount} for the currency, which is not always
 * what ISO 4217 says: cents for USD, yen for JPY, hundredths of a króna for ISK, thousandths of a dinar for KWD.
 * {@link StripeCurrencies} holds Stripe's rules; {@link #ofMajor} and {@link #majorUnits()} are the only
 * conversions between major amounts ({@code 20.00}) and minor units.
 */
public record Money(long minorUnits, Currency currency) {

    public Money {
        Objects.requireNonNull(currency, "currency");
    }

    public static Money of(long minorUnits, String currencyCode) {
        return new Money(minorUnits, currency(currencyCode));
    }

    /**
     * An amount given in major units ({@code 12.34} USD is 1234 minor units, {@code 500} JPY is 500, {@code 5} ISK
     * is 500). Refuses, with an {@link InvalidRequestException} naming {@code field}, an amount with more decimals
     * than Stripe's exponent for the currency allows and one too large for a {@code long}; never rounds. Whether
     * Stripe can charge the amount is a separate question: see {@link #requireChargeable(String)}.
     */
    public static Money ofMajor(String field, BigDecimal major, Currency currency) {
        Objects.requireNonNull(currency, "currency");
        if (major == null) {
            throw new InvalidRequestException(field, "is missing: expected an amount in major units such as 20.00");
        }
        int exponent = StripeCurrencies.exponent(currency);
        if (major.stripTrailingZeros().scale() > exponent) {
            throw new InvalidRequestException(
                    field,
                    major.toPlainString() + " has more decimals than " + currency.getCurrencyCode() + " allows ("
                            + exponent + ")");
        }
        try {
            return new Money(major.movePointRight(exponent).longValueExact(), currency);
        } catch (ArithmeticException e) {
            throw new InvalidRequestException(
                    field, major.toPlainString() + " " + currency.getCurrencyCode() + " is too large");
        }
    }

    /** {@link #ofMajor(String, BigDecimal, Currency)} for text such as {@code "12.34"} and a currency code. */
    public static Money ofMajor(String field, String major, String currencyCode) {
        Currency currency = currency(currencyCode);
        if (major == null || major.isBlank()) {
            throw new InvalidRequestException(field, "is missing: expected an amount in major units such as 20.00");
        }
        BigDecimal amount;
        try {
            amount = new BigDecimal(major.trim());
        } catch (NumberFormatException e) {
            throw new InvalidRequestException(
                    field, "must be an amount in major units such as 20.00, was '" + major + "'");
        }
        return ofMajor(field, amount, currency);
    }

    /** Parses an ISO 4217 code, case-insensitively, or throws {@link InvalidRequestException}. */
    public static Currency currency(String currencyCode) {
        if (currencyCode == null || currencyCode.isBlank()) {
            throw new InvalidRequestException("currency", "must be an ISO 4217 code such as USD");
        }
        try {
            return Currency.getInstance(currencyCode.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException("currency", "'" + currencyCode + "' is not an ISO 4217 code");
        }
    }

    /** How many minor digits {@link #minorUnits()} has for this currency, by Stripe's rules (0 for JPY, 2 for ISK). */
    public int exponent() {
        return StripeCurrencies.exponent(currency);
    }

    /** The amount in major units with Stripe's exponent as its scale, e.g. {@code 20.00} for 2000 USD cents. */
    public BigDecimal majorUnits() {
        return BigDecimal.valueOf(minorUnits, exponent());
    }

    /**
     * True when Stripe can charge this amount: a multiple of 100 for ISK and UGX, of 10 for BHD, JOD, KWD, OMR
     * and TND, anything for other currencies.
     */
    public boolean chargeable() {
        return StripeCurrencies.chargeable(minorUnits, currency);
    }

    /** This amount, or an {@link InvalidRequestException} naming {@code field} when Stripe cannot charge it. */
    public Money requireChargeable(String field) {
        if (!chargeable()) {
            BigDecimal step = BigDecimal.valueOf(StripeCurrencies.chargeIncrement(currency), exponent());
            throw new InvalidRequestException(
                    field,
                    "Stripe charges " + currency.getCurrencyCode() + " only in multiples of " + step.toPlainString()
                            + " " + currency.getCurrencyCode() + ", was "
                            + majorUnits().toPlainString());
        }
        return this;
    }

    /** Lower-case code as Stripe writes it ({@code usd}). */
    public String stripeCurrency() {
        return currency.getCurrencyCode().toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public String toString() {
        return majorUnits().toPlainString() + " " + currency.getCurrencyCode();
    }
}
