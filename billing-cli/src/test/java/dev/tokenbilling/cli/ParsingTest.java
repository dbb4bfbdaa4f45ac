package dev.tokenbilling.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenbilling.error.BillingError;
import dev.tokenbilling.error.PaymentProviderException;
import dev.tokenbilling.error.StoreUnavailableException;
import dev.tokenbilling.model.Money;
import java.math.BigDecimal;
import java.net.ConnectException;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Currency;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Durations, token counts, database URLs, money and token formatting: the small parsers and formatters. */
class ParsingTest {

    @Test
    void shouldParseTimesWithAZoneOrADate() {
        assertThat(Timestamps.parse("2025-04-01T00:00:00Z")).isEqualTo(Instant.parse("2025-04-01T00:00:00Z"));
        assertThat(Timestamps.parse("2025-04-01T09:00:00+02:00")).isEqualTo(Instant.parse("2025-04-01T07:00:00Z"));
        assertThat(Timestamps.parse(" 2025-04-01 ")).isEqualTo(Instant.parse("2025-04-01T00:00:00Z"));
        for (String bad : new String[] {"", "2025-04-01T00:00:00", "tomorrow", "2025-13-01", "1743465600"}) {
            assertThatThrownBy(() -> Timestamps.parse(bad))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("ISO-8601");
        }
    }

    @Test
    void shouldReportADatabaseLostDuringMigrateAsUnreachable() {
        CliContext context = new CliContext(new CliEnvironment(
                Map.of("BILLING_DATABASE_URL", "postgresql://db.internal:6543/billing"),
                () -> {
                    throw new AssertionError("no database");
                },
                false,
                Clock.systemUTC()));
        // What BillingSchema.currentVersion() and pending() throw when the connection fails.
        var lost = new StoreUnavailableException(
                "Database unavailable, migrations not applied: refused",
                new SQLException(
                        "Connection to db.internal:6543 refused", "08001", new ConnectException("Connection refused")));

        Failures.Failure failure = new Failures(context).describe(lost);

        assertThat(failure.exitCode()).isEqualTo(ExitCodes.UNREACHABLE);
        assertThat(failure.message()).startsWith("cannot reach the database at db.internal:6543 (connection refused)");
    }

    @Test
    void shouldMapEveryLibraryErrorCodeToItsDocumentedExitCode() {
        Failures failures = new Failures(new CliContext(new CliEnvironment(
                Map.of(),
                () -> {
                    throw new AssertionError("no database");
                },
                false,
                Clock.systemUTC())));
        Set<BillingError> usage = EnumSet.of(
                BillingError.INVALID_REQUEST, BillingError.INVALID_CONFIGURATION, BillingError.PAYMENTS_NOT_CONFIGURED);
        Set<BillingError> unreachable = EnumSet.of(BillingError.STORE_UNAVAILABLE, BillingError.PAYMENT_PROVIDER);
        Set<PaymentProviderException.Reason> worthARetry = EnumSet.of(
                PaymentProviderException.Reason.UNREACHABLE,
                PaymentProviderException.Reason.RATE_LIMITED,
                PaymentProviderException.Reason.PROVIDER_ERROR);

        for (BillingError code : BillingError.values()) {
            Failures.Failure failure = failures.failure(code, Optional.empty(), "what went wrong", null);
            assertThat(failure.exitCode())
                    .as(code.name())
                    .isEqualTo(
                            usage.contains(code)
                                    ? ExitCodes.USAGE
                                    : unreachable.contains(code) ? ExitCodes.UNREACHABLE : ExitCodes.FAILED);
            assertThat(failure.line()).as(code.name()).startsWith("error[" + code.wireName() + "]: ");
        }
        for (PaymentProviderException.Reason reason : PaymentProviderException.Reason.values()) {
            assertThat(failures.failure(BillingError.PAYMENT_PROVIDER, Optional.of(reason), "Stripe said no", null)
                            .exitCode())
                    .as(reason.name())
                    .isEqualTo(worthARetry.contains(reason) ? ExitCodes.UNREACHABLE : ExitCodes.FAILED);
        }
    }

    @Test
    void shouldParseOperatorDurations() {
        assertThat(Durations.parse("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(Durations.parse("15m")).isEqualTo(Duration.ofMinutes(15));
        assertThat(Durations.parse("1h")).isEqualTo(Duration.ofHours(1));
        assertThat(Durations.parse("3d")).isEqualTo(Duration.ofDays(3));
        assertThat(Durations.parse("2w")).isEqualTo(Duration.ofDays(14));
        assertThat(Durations.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
        assertThat(Durations.parse("PT15M")).isEqualTo(Duration.ofMinutes(15));
        assertThat(Durations.parse(" 10 minutes ")).isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void shouldRejectBadDurationsWithTheExpectedForms() {
        for (String bad : new String[] {"", "15", "m", "15x", "-5m", "1.5h", "P-1D", "99999999999999999999d"}) {
            assertThatThrownBy(() -> Durations.parse(bad))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .satisfiesAnyOf(
                            e -> assertThat(e).hasMessageContaining("30s, 15m, 1h, 3d"),
                            e -> assertThat(e).hasMessageContaining("too long"));
        }
    }

    @Test
    void shouldFormatShortAges() {
        assertThat(Durations.format(Duration.ofSeconds(42))).isEqualTo("42s");
        assertThat(Durations.format(Duration.ofMinutes(15))).isEqualTo("15m");
        assertThat(Durations.format(Duration.ofHours(5))).isEqualTo("5h");
        assertThat(Durations.format(Duration.ofDays(3))).isEqualTo("3d");
    }

    @Test
    void shouldParseTokenCounts() {
        assertThat(TokenCount.parse("500000")).isEqualTo(500_000);
        assertThat(TokenCount.parse("500,000")).isEqualTo(500_000);
        assertThat(TokenCount.parse("500_000")).isEqualTo(500_000);
        assertThat(TokenCount.parse("500k")).isEqualTo(500_000);
        assertThat(TokenCount.parse("1.5M")).isEqualTo(1_500_000);
        assertThat(TokenCount.parse("-1200")).isEqualTo(-1200);
        assertThat(TokenCount.parse("+500")).isEqualTo(500);
        assertThatThrownBy(() -> TokenCount.parse("1.5")).hasMessageContaining("not a whole number of tokens");
        assertThatThrownBy(() -> TokenCount.parse("lots")).hasMessageContaining("not a whole number of tokens");
    }

    @Test
    void shouldFormatMoneyWithTheDollarSignAndOtherCurrenciesWithTheirCode() {
        assertThat(Formats.money(Money.of(2000, "USD"))).isEqualTo("$20.00");
        assertThat(Formats.money(Money.of(500, "usd"))).isEqualTo("$5.00");
        assertThat(Formats.money(Money.of(123_456_789, "USD"))).isEqualTo("$1,234,567.89");
        assertThat(Formats.money(Money.of(1999, "EUR"))).isEqualTo("19.99 EUR");
        assertThat(Formats.money(Money.of(500, "JPY"))).isEqualTo("500 JPY");
        assertThat(Formats.money(new BigDecimal("-3.50"), Currency.getInstance("USD")))
                .isEqualTo("-$3.50");
        assertThat(Formats.plainMoney(Money.of(2000, "USD"))).isEqualTo("20.00");
    }

    @Test
    void shouldFormatMoneyWithStripesDecimalsNotIsos() {
        assertThat(Formats.money(Money.of(2000, "MGA"))).isEqualTo("2,000 MGA");
        assertThat(Formats.money(Money.of(50_000, "ISK"))).isEqualTo("500.00 ISK");
        assertThat(Formats.money(Money.of(700_000, "UGX"))).isEqualTo("7,000.00 UGX");
        assertThat(Formats.money(Money.of(5120, "KWD"))).isEqualTo("5.120 KWD");
        assertThat(Formats.money(Money.of(1045, "HUF"))).isEqualTo("10.45 HUF");
        assertThat(Formats.money(new BigDecimal("1.707"), Currency.getInstance("KWD")))
                .isEqualTo("1.707 KWD");
        assertThat(Formats.plainMoney(Money.of(50_000, "ISK"))).isEqualTo("500.00");
        assertThat(Formats.plainMoney(Money.of(2000, "MGA"))).isEqualTo("2000");
    }

    @Test
    void shouldFormatTokenCountsWithSeparators() {
        assertThat(Formats.tokens(500_000)).isEqualTo("500,000");
        assertThat(Formats.tokens(1_000_000)).isEqualTo("1,000,000");
        assertThat(Formats.tokens(-1200)).isEqualTo("-1,200");
        assertThat(Formats.signedTokens(500)).isEqualTo("+500");
    }

    @Test
    void shouldReadUserAndPasswordFromALibpqUrl() {
        DatabaseUrl url = DatabaseUrl.parse(
                "postgresql://billing:p%40ss@db.example.com:6543/tokens?sslmode=require",
                Optional.of("ignored"), Optional.empty());

        assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://db.example.com:6543/tokens?sslmode=require");
        assertThat(url.user()).contains("billing");
        assertThat(url.password()).contains("p@ss");
        assertThat(url.hostAndPort()).isEqualTo("db.example.com:6543");
        assertThat(url.toString()).doesNotContain("p@ss");
    }

    @Test
    void shouldFallBackToEnvironmentCredentialsAndDefaultPort() {
        DatabaseUrl url =
                DatabaseUrl.parse("jdbc:postgresql://db/tokens", Optional.of("env-user"), Optional.of("env-pass"));

        assertThat(url.user()).contains("env-user");
        assertThat(url.password()).contains("env-pass");
        assertThat(url.hostAndPort()).isEqualTo("db:5432");
    }

    @Test
    void shouldRedactPasswordsInBothUrlForms() {
        assertThat(DatabaseUrl.redact("jdbc:postgresql://h/db?user=u&password=secret&ssl=true"))
                .isEqualTo("jdbc:postgresql://h/db?user=u&password=***&ssl=true");
        assertThat(DatabaseUrl.redact("postgresql://u:secret@h:5432/db")).isEqualTo("postgresql://u:***@h:5432/db");
    }

    @Test
    void shouldRejectANonPostgresUrlAsUsageError() {
        assertThatThrownBy(() -> DatabaseUrl.parse("mysql://u:secret@h/db", Optional.empty(), Optional.empty()))
                .isInstanceOfSatisfying(
                        CliException.class, e -> assertThat(e.exitCode()).isEqualTo(ExitCodes.USAGE))
                .hasMessageNotContaining("secret");
    }

    @Test
    void shouldQuoteCsvValuesOnlyWhenNeeded() {
        assertThat(Output.quote("plain")).isEqualTo("plain");
        assertThat(Output.quote("a,b")).isEqualTo("\"a,b\"");
        assertThat(Output.quote("say \"hi\"")).isEqualTo("\"say \"\"hi\"\"\"");
    }
}
