package dev.tokenbilling.cli;

import dev.tokenbilling.model.Money;
import dev.tokenbilling.model.StripeCurrencies;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Currency;
import java.util.Locale;

/** How people read numbers in tables: {@code $20.00}, {@code 500,000}, {@code 2025-03-01 14:05:09Z}. */
public final class Formats {

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

    private Formats() {}

    /** {@code 500,000}; negative {@code -1,200}. */
    public static String tokens(long tokens) {
        return String.format(Locale.US, "%,d", tokens);
    }

    /** {@code +500,000} for credits, {@code -1,200} for debits. */
    public static String signedTokens(long tokens) {
        return (tokens > 0 ? "+" : "") + tokens(tokens);
    }

    /** {@code $20.00} for US dollars; {@code 20.00 EUR} for any other currency. */
    public static String money(Money money) {
        return money(money.majorUnits(), money.currency());
    }

    /** {@code major} with as many decimals as Stripe's minor units of {@code currency} have ({@link StripeCurrencies}). */
    public static String money(BigDecimal major, Currency currency) {
        String amount = String.format(Locale.US, "%,." + StripeCurrencies.exponent(currency) + "f", major.abs());
        String sign = major.signum() < 0 ? "-" : "";
        if ("USD".equals(currency.getCurrencyCode())) {
            return sign + "$" + amount;
        }
        return sign + amount + " " + currency.getCurrencyCode();
    }

    /** Major units as a plain decimal string ({@code 20.00}): exact, for JSON and CSV. */
    public static String plainMoney(Money money) {
        return money.majorUnits().toPlainString();
    }

    public static String time(Instant instant) {
        return TIME.format(instant);
    }

    /** How long ago, short: {@code 15m}, {@code 3h}, {@code 2d}. */
    public static String age(Instant instant, Clock clock) {
        return Durations.format(Duration.between(instant, clock.instant()));
    }

    /** Cuts {@code text} to {@code max} characters with an ellipsis; null becomes empty. */
    public static String shorten(String text, int max) {
        if (text == null) {
            return "";
        }
        String single = text.replaceAll("\\s+", " ").trim();
        return single.length() <= max ? single : single.substring(0, Math.max(0, max - 1)) + "…";
    }
}
