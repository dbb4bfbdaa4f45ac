package dev.tokenbilling.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenbilling.error.InvalidRequestException;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Currency;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Money converts between major amounts and Stripe's minor units by Stripe's rules, not ISO 4217's. */
class MoneyTest {

    static final List<String> ZERO_DECIMAL = List.of(
            "BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "VND", "VUV", "XAF", "XOF", "XPF");
    static final List<String> THREE_DECIMAL = List.of("BHD", "JOD", "KWD", "OMR", "TND");
    static final List<String> WHOLE_UNITS_IN_HUNDREDTHS = List.of("ISK", "UGX");
    static final List<String> TWO_DECIMAL = List.of("USD", "EUR", "HUF", "TWD", "GBP", "IQD", "XAU");

    static Stream<String> everyCurrencyWithARule() {
        return Stream.of(ZERO_DECIMAL, THREE_DECIMAL, WHOLE_UNITS_IN_HUNDREDTHS, TWO_DECIMAL)
                .flatMap(List::stream);
    }

    static Stream<String> zeroDecimal() {
        return ZERO_DECIMAL.stream();
    }

    static Stream<String> threeDecimal() {
        return THREE_DECIMAL.stream();
    }

    static Stream<String> wholeUnitsInHundredths() {
        return WHOLE_UNITS_IN_HUNDREDTHS.stream();
    }

    private static Currency currency(String code) {
        return Currency.getInstance(code);
    }

    @ParameterizedTest(name = "{0} is zero-decimal")
    @MethodSource("zeroDecimal")
    void zeroDecimalCurrenciesCountWholeUnits(String code) {
        Money money = Money.ofMajor("price", "500", code);

        assertThat(money).isEqualTo(Money.of(500, code));
        assertThat(money.exponent()).isZero();
        assertThat(StripeCurrencies.exponent(currency(code))).isZero();
        assertThat(money.majorUnits()).isEqualTo(new BigDecimal("500"));
        assertThat(money.toString()).isEqualTo("500 " + code);
        assertThat(Money.ofMajor("price", "500.00", code)).isEqualTo(money);
        assertThat(Money.of(1, code).chargeable()).isTrue();
        assertThat(Money.of(501, code).requireChargeable("price")).isEqualTo(Money.of(501, code));
    }

    @ParameterizedTest(name = "{0} refuses fractions")
    @MethodSource("zeroDecimal")
    void zeroDecimalCurrenciesRefuseFractions(String code) {
        assertThatThrownBy(() -> Money.ofMajor("price", "500.5", code))
                .isInstanceOfSatisfying(
                        InvalidRequestException.class,
                        e -> assertThat(e.field()).isEqualTo("price"))
                .hasMessage("price: 500.5 has more decimals than " + code + " allows (0)");
    }

    @ParameterizedTest(name = "{0} is three-decimal")
    @MethodSource("threeDecimal")
    void threeDecimalCurrenciesCountThousandths(String code) {
        Money money = Money.ofMajor("price", "5.12", code);

        assertThat(money).isEqualTo(Money.of(5120, code));
        assertThat(money.exponent()).isEqualTo(3);
        assertThat(money.majorUnits()).isEqualTo(new BigDecimal("5.120"));
        assertThat(money.toString()).isEqualTo("5.120 " + code);
        assertThat(money.chargeable()).isTrue();
        assertThat(StripeCurrencies.chargeIncrement(currency(code))).isEqualTo(10);
    }

    @ParameterizedTest(name = "{0} charges end in 0")
    @MethodSource("threeDecimal")
    void threeDecimalChargesMustEndInZero(String code) {
        Money money = Money.ofMajor("price", "5.124", code);

        assertThat(money.minorUnits()).isEqualTo(5124);
        assertThat(money.chargeable()).isFalse();
        assertThatThrownBy(() -> money.requireChargeable("price"))
                .isInstanceOfSatisfying(
                        InvalidRequestException.class,
                        e -> assertThat(e.field()).isEqualTo("price"))
                .hasMessage("price: Stripe charges " + code + " only in multiples of 0.010 " + code + ", was 5.124");
        assertThatThrownBy(() -> Money.ofMajor("price", "5.1245", code))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("price: 5.1245 has more decimals than " + code + " allows (3)");
    }

    @ParameterizedTest(name = "{0} is written in hundredths of whole units")
    @MethodSource("wholeUnitsInHundredths")
    void iskAndUgxAreWholeUnitsWrittenWithTwoDecimals(String code) {
        Money money = Money.ofMajor("price", "5", code);

        assertThat(money).isEqualTo(Money.of(500, code));
        assertThat(money.exponent()).isEqualTo(2);
        assertThat(money.majorUnits()).isEqualTo(new BigDecimal("5.00"));
        assertThat(money.chargeable()).isTrue();
        assertThat(Money.ofMajor("price", "5.00", code)).isEqualTo(money);
        assertThat(StripeCurrencies.chargeIncrement(currency(code))).isEqualTo(100);
    }

    @ParameterizedTest(name = "{0} cannot be charged in fractions")
    @MethodSource("wholeUnitsInHundredths")
    void iskAndUgxChargesMustBeWholeUnits(String code) {
        Money money = Money.ofMajor("price", "5.50", code);

        assertThat(money.minorUnits()).isEqualTo(550);
        assertThat(money.chargeable()).isFalse();
        assertThat(Money.of(501, code).chargeable()).isFalse();
        assertThatThrownBy(() -> money.requireChargeable("price"))
                .isInstanceOfSatisfying(
                        InvalidRequestException.class,
                        e -> assertThat(e.field()).isEqualTo("price"))
                .hasMessage("price: Stripe charges " + code + " only in multiples of 1.00 " + code + ", was 5.50");
        assertThatThrownBy(() -> Money.ofMajor("price", "5.005", code))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessage("price: 5.005 has more decimals than " + code + " allows (2)");
    }

    @ParameterizedTest(name = "{0} is two-decimal and charges any amount")
    @ValueSource(strings = {"HUF", "TWD"})
    void hufAndTwdChargeTwoDecimalAmounts(String code) {
        // Stripe's HUF/TWD rule (divisible by 100) is for manual payouts; charges may have two decimals.
        Money money = Money.ofMajor("price", "10.45", code);

        assertThat(money).isEqualTo(Money.of(1045, code));
        assertThat(money.exponent()).isEqualTo(2);
        assertThat(money.majorUnits()).isEqualTo(new BigDecimal("10.45"));
        assertThat(money.requireChargeable("price")).isEqualTo(money);
        assertThat(StripeCurrencies.chargeIncrement(currency(code))).isEqualTo(1);
    }

    @ParameterizedTest(name = "{0} is two-decimal")
    @ValueSource(strings = {"USD", "EUR"})
    void usdAndEurAreTwoDecimal(String code) {
        Money money = Money.ofMajor("price", "12.34", code);

        assertThat(money).isEqualTo(Money.of(1234, code));
        assertThat(money.majorUnits()).isEqualTo(new BigDecimal("12.34"));
        assertThat(money.toString()).isEqualTo("12.34 " + code);
        assertThat(Money.ofMajor("price", "20", code).majorUnits()).isEqualTo(new BigDecimal("20.00"));
        assertThat(Money.of(1, code).requireChargeable("price").majorUnits()).isEqualTo(new BigDecimal("0.01"));
        assertThatThrownBy(() -> Money.ofMajor("amount", "12.345", code))
                .isInstanceOfSatisfying(
                        InvalidRequestException.class,
                        e -> assertThat(e.field()).isEqualTo("amount"))
                .hasMessage("amount: 12.345 has more decimals than " + code + " allows (2)");
    }

    @ParameterizedTest(name = "{0}: Stripe's exponent is {1}, whatever ISO 4217 says")
    @CsvSource({
        // ISO 4217 gives MGA two decimals; Stripe takes whole ariary
        "MGA, 0",
        // ISO 4217 gives ISK and UGX no decimals; Stripe takes hundredths
        "ISK, 2",
        "UGX, 2",
        // ISO 4217 gives IQD three decimals, and gold none at all; Stripe's default is two
        "IQD, 2",
        "XAU, 2",
        "KWD, 3",
        "JPY, 0",
    })
    void stripeNotIsoDecidesTheExponent(String code, int exponent) {
        assertThat(StripeCurrencies.exponent(currency(code))).isEqualTo(exponent);
        assertThat(Money.of(500, code).majorUnits().scale()).isEqualTo(exponent);
    }

    @ParameterizedTest(name = "{0} round-trips")
    @MethodSource("everyCurrencyWithARule")
    void majorAndMinorRoundTrip(String code) {
        for (long minor : new long[] {0, 1, 10, 100, 550, 5120, 123_456_789, -2_000, Long.MAX_VALUE, Long.MIN_VALUE}) {
            Money money = Money.of(minor, code);

            assertThat(Money.ofMajor("price", money.majorUnits(), currency(code)))
                    .isEqualTo(money);
            assertThat(Money.ofMajor("price", money.majorUnits().toPlainString(), code.toLowerCase()))
                    .isEqualTo(money);
            assertThat(money.majorUnits().scale()).isEqualTo(money.exponent());
            assertThat(money.chargeable()).isEqualTo(minor % StripeCurrencies.chargeIncrement(currency(code)) == 0);
        }
    }

    @Test
    void shouldRefuseAmountsThatAreNotAmounts() {
        assertThatThrownBy(() -> Money.ofMajor("price", "twenty", "USD"))
                .isInstanceOfSatisfying(
                        InvalidRequestException.class,
                        e -> assertThat(e.field()).isEqualTo("price"))
                .hasMessageContaining("must be an amount in major units such as 20.00, was 'twenty'");
        assertThatThrownBy(() -> Money.ofMajor("price", " ", "USD"))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageStartingWith("price: is missing");
        assertThatThrownBy(() -> Money.ofMajor("price", (BigDecimal) null, currency("USD")))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageStartingWith("price: is missing");
        assertThatThrownBy(() -> Money.ofMajor("price", "1.00", "XYZW"))
                .isInstanceOfSatisfying(
                        InvalidRequestException.class,
                        e -> assertThat(e.field()).isEqualTo("currency"));
    }

    @Test
    void shouldRefuseAmountsTooLargeForALong() {
        assertThatThrownBy(() -> Money.ofMajor("price", "92233720368547758.08", "USD"))
                .isInstanceOfSatisfying(
                        InvalidRequestException.class,
                        e -> assertThat(e.field()).isEqualTo("price"))
                .hasMessage("price: 92233720368547758.08 USD is too large");
        assertThat(Money.ofMajor("price", "92233720368547758.07", "USD").minorUnits())
                .isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void shouldAcceptTrailingZerosBeyondTheExponent() {
        assertThat(Money.ofMajor("price", "20.000000", "USD")).isEqualTo(Money.of(2000, "USD"));
        assertThat(Money.ofMajor("price", "500.000", "JPY")).isEqualTo(Money.of(500, "JPY"));
        assertThat(Money.ofMajor("price", "1E+3", "JPY")).isEqualTo(Money.of(1000, "JPY"));
    }

    @Test
    void pricePerMillionTokensUsesStripesExponent() {
        assertThat(tokenPackage(Money.of(2000, "USD"), 500_000).pricePerMillionTokens())
                .isEqualTo(new BigDecimal("40.00"));
        assertThat(tokenPackage(Money.of(500, "MGA"), 3_000_000).pricePerMillionTokens())
                .isEqualTo(new BigDecimal("167"));
        assertThat(tokenPackage(Money.of(5120, "KWD"), 3_000_000).pricePerMillionTokens())
                .isEqualTo(new BigDecimal("1.707"));
        assertThat(tokenPackage(Money.of(50_000, "ISK"), 1_000_000).pricePerMillionTokens())
                .isEqualTo(new BigDecimal("500.00"));
    }

    @Test
    void packagePricesMustBeChargeable() {
        assertThatThrownBy(() ->
                        new PackageDefinition("isk-1m", "ISK", "isk", 1_000_000, Money.of(50_050, "ISK"), "", true, 1))
                .isInstanceOfSatisfying(
                        InvalidRequestException.class,
                        e -> assertThat(e.field()).isEqualTo("price"))
                .hasMessageContaining("only in multiples of 1.00 ISK, was 500.50");
        assertThatThrownBy(() ->
                        new PackageDefinition("kwd-1m", "KWD", "kwd", 1_000_000, Money.of(5_125, "KWD"), "", true, 1))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("only in multiples of 0.010 KWD, was 5.125");
        assertThat(new PackageDefinition("isk-1m", "ISK", "isk", 1_000_000, Money.of(50_000, "ISK"), "", true, 1)
                        .price())
                .isEqualTo(Money.of(50_000, "ISK"));
    }

    private static TokenPackage tokenPackage(Money price, long tokens) {
        Instant now = Instant.parse("2025-01-01T00:00:00Z");
        return new TokenPackage(
                1,
                "p",
                "P",
                "p",
                tokens,
                price,
                "",
                true,
                1,
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                now,
                now);
    }
}
