package dev.tokenbilling.model;

import dev.tokenbilling.error.InvalidRequestException;
import java.math.BigDecimal;
import java.util.Currency;
import java.util.Objects;

/**
 * An exact amount of money: minor units (cents for USD) and an ISO 4217 currency. Never a
 * floating-point number.
 */
public record Money(long minorUnits, Currency currency) {

    public Money {
        Objects.requireNonNull(currency, "currency");
    }

    public static Money of(long minorUnits, String currencyCode) {
        return new Money(minorUnits, currency(currencyCode));
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

    /** The amount in major units with the currency's scale, e.g. {@code 20.00} for 2000 USD cents. */
    public BigDecimal majorUnits() {
        return BigDecimal.valueOf(minorUnits, Math.max(currency.getDefaultFractionDigits(), 0));
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
