package dev.tokenbilling.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenbilling.cli.support.Cli;
import dev.tokenbilling.cli.support.Cli.Result;
import dev.tokenbilling.cli.support.Unique;
import dev.tokenbilling.model.Debit;
import dev.tokenbilling.model.IdempotencyKey;
import dev.tokenbilling.model.Reservation;
import dev.tokenbilling.model.ReservationRequest;
import dev.tokenbilling.model.UserId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Lots, holds and expiry from the command line: {@code grant --expires-in/--expires-at/--priority},
 * {@code balance} with lots and holds, {@code expire}, {@code void-grant}. Every run uses a fixed clock.
 * Tests share the class's schema with users of their own ({@link Unique}); {@code expire} covers every
 * user, so a test that runs it takes a schema of its own ({@link #ownSchema}).
 */
class LotsCommandsTest {

    private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
    private static final Instant LATER = T0.plus(Duration.ofDays(31));
    private static final Cli CLI = Cli.forClass(LotsCommandsTest.class).clock(at(T0));
    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void migrate() {
        CLI.migrated();
    }

    @Test
    void shouldGrantALotThatExpiresAndIsDrawnFirst() throws Exception {
        String lena = Unique.user("lena");

        Result promo = CLI.run(
                "grant",
                lena,
                "1,000",
                "--reason",
                "welcome promo",
                "--idempotency-key",
                "g1",
                "--expires-in",
                "30d",
                "--priority",
                "-1");
        JsonNode later = JSON.readTree(CLI.run(
                        "grant",
                        lena,
                        "5k",
                        "--reason",
                        "spring promo",
                        "--idempotency-key",
                        "g2",
                        "--expires-at",
                        "2030-06-01",
                        "-o",
                        "json")
                .out());
        Result forever = CLI.run("grant", lena, "2000", "--reason", "support gesture", "--idempotency-key", "g3");

        assertThat(promo.exitCode()).as(promo.toString()).isZero();
        assertThat(promo.out())
                .contains("✅ Granted +1,000 tokens for " + lena + ": balance now 1,000")
                .containsPattern("lot #\\d+: expires 2030-01-31 00:00:00Z \\(in 30d\\), priority -1");
        assertThat(later.get("amount").asLong()).isEqualTo(5000);
        assertThat(later.get("lotId").isIntegralNumber()).isTrue();
        assertThat(later.get("expiresAt").asText()).isEqualTo("2030-06-01T00:00:00Z");
        assertThat(later.get("priority").asInt()).isZero();
        assertThat(forever.out()).contains("balance now 8,000").containsPattern("lot #\\d+: never expires, priority 0");
    }

    @Test
    void shouldShowOpenLotsInDrawOrderAndActiveHolds() throws Exception {
        String lena = Unique.user("lena");
        grantThreeLots(CLI, lena);
        Reservation hold = reserve(CLI, lena);

        Result result = CLI.run("balance", lena);

        assertThat(result.exitCode()).as(result.toString()).isZero();
        List<String> lines = result.lines();
        assertThat(result.out())
                .contains(
                        "Balance:   8,000 tokens",
                        "Available: 7,500",
                        "Reserved:  500 (1 active hold)",
                        "Debt:      0");
        int lots = lines.indexOf("Open lots (3), in draw order:");
        assertThat(lots).isPositive();
        assertThat(lines.get(lots + 1))
                .containsPattern(
                        "LOT\\s+SOURCE\\s+REMAINING/AMOUNT\\s+PRIORITY\\s+EXPIRES\\s+EXPIRES IN\\s+PURCHASE\\s+CREATED");
        assertThat(lines.get(lots + 2))
                .containsPattern("grant\\s+1,000 / 1,000\\s+-1\\s+2030-01-31 00:00:00Z\\s+30d\\s+2030-01-01 00:00:00Z");
        assertThat(lines.get(lots + 3)).containsPattern("grant\\s+5,000 / 5,000\\s+0\\s+2030-06-01 00:00:00Z\\s+151d");
        assertThat(lines.get(lots + 4)).containsPattern("grant\\s+2,000 / 2,000\\s+0\\s+never\\s");
        int holds = lines.indexOf("Active holds (1):");
        assertThat(holds).isGreaterThan(lots);
        assertThat(lines.get(holds + 1))
                .containsPattern(
                        "HOLD\\s+AMOUNT\\s+EXPIRES\\s+EXPIRES IN\\s+IDEMPOTENCY KEY\\s+DESCRIPTION\\s+CREATED");
        assertThat(lines.get(holds + 2))
                .containsPattern(hold.id() + "\\s+500\\s+2030-01-01 00:10:00Z\\s+10m\\s+req-1\\s+chat completion");
        assertThat(result.out()).contains("Last 3 ledger entries:");
        assertThat(result.err()).isEmpty();
    }

    @Test
    void shouldGiveStableJsonAndCsvFieldsForLotsAndHolds() throws Exception {
        String lena = Unique.user("lena");
        grantThreeLots(CLI, lena);
        Reservation hold = reserve(CLI, lena);

        JsonNode json = JSON.readTree(CLI.run("balance", lena, "-o", "json").out());
        Result csv = CLI.run("balance", lena, "-o", "csv");
        Result lotsCsv = CLI.run("balance", lena, "--only", "lots", "-o", "csv");
        JsonNode holds = JSON.readTree(
                CLI.run("balance", lena, "--only", "holds", "-o", "json").out());

        assertThat(json.fieldNames()).toIterable().containsExactly(Cli.BALANCE_JSON_FIELDS);
        assertThat(json.get("available").asLong()).isEqualTo(7500);
        assertThat(json.get("reserved").asLong()).isEqualTo(500);
        assertThat(json.get("debt").asLong()).isZero();
        assertThat(json.get("lots")).hasSize(3);
        assertThat(json.get("lots").get(0).fieldNames())
                .toIterable()
                .containsExactly(
                        "id", "source", "remaining", "amount", "priority", "expiresAt", "purchaseId", "createdAt");
        assertThat(json.get("lots").get(0).get("expiresAt").asText()).isEqualTo("2030-01-31T00:00:00Z");
        assertThat(json.get("lots").get(0).get("priority").asInt()).isEqualTo(-1);
        assertThat(json.get("lots").get(2).get("expiresAt").isNull()).isTrue();
        assertThat(json.get("holds").get(0).fieldNames())
                .toIterable()
                .containsExactly("id", "amount", "status", "expiresAt", "idempotencyKey", "description", "createdAt");
        assertThat(json.get("holds").get(0).get("status").asText()).isEqualTo("active");
        assertThat(csv.lines()).hasSize(2);
        assertThat(csv.lines().get(0))
                .isEqualTo("userId,balance,available,reserved,totalPurchased,totalGranted,totalUsed,totalReversed,"
                        + "totalAdjusted,totalExpired,updatedAt,debt");
        assertThat(csv.lines().get(1)).startsWith(lena + ",8000,7500,500,0,8000,0,0,0,0,2030-01-01T00:00:00Z,0");
        assertThat(lotsCsv.lines().get(0))
                .isEqualTo("id,source,remaining,amount,priority,expiresAt,purchaseId,createdAt");
        assertThat(lotsCsv.lines()).hasSize(4);
        assertThat(lotsCsv.lines().get(1)).endsWith(",grant,1000,1000,-1,2030-01-31T00:00:00Z,,2030-01-01T00:00:00Z");
        assertThat(holds.isArray()).isTrue();
        assertThat(holds.get(0).get("id").asLong()).isEqualTo(hold.id());
        assertThat(holds.get(0).get("expiresAt").asText()).isEqualTo("2030-01-01T00:10:00Z");
    }

    @Test
    void shouldExpireNothingBeforeTheExpiry() throws Exception {
        Cli cli = ownSchema();
        String lena = Unique.user("lena");
        grantThreeLots(cli, lena);
        reserve(cli, lena);

        Result result = cli.run("expire");
        JsonNode json = JSON.readTree(cli.run("expire", "-o", "json").out());

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).contains("Nothing to expire: no lapsed lots or holds at 2030-01-01 00:00:00Z.");
        assertThat(json.fieldNames())
                .toIterable()
                .containsExactly("lotsExpired", "tokensExpired", "reservationsReleased", "limitReached");
        assertThat(json.get("tokensExpired").asLong()).isZero();
    }

    @Test
    void shouldSayALapsedLotStillCountsUntilTheExpiryRun() throws Exception {
        String lena = Unique.user("lena");
        grantThreeLots(CLI, lena);
        reserve(CLI, lena);

        Result result = later(CLI).run("balance", lena);

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out())
                .containsPattern("1,000 / 1,000\\s+-1\\s+2030-01-31 00:00:00Z\\s+lapsed")
                .contains("Balance:   8,000 tokens");
        assertThat(result.err())
                .contains(
                        "note: 1 lot has lapsed but still counts: 'billing expire' takes expired tokens out of balances");
    }

    @Test
    void shouldExpireLapsedLotsAndHoldsExactlyOnce() throws Exception {
        Cli cli = ownSchema();
        String lena = Unique.user("lena");
        grantThreeLots(cli, lena);
        reserve(cli, lena);
        Cli later = later(cli);

        Result first = later.run("expire");
        Result second = later.run("expire");
        JsonNode balance =
                JSON.readTree(later.run("balance", lena, "-o", "json").out());

        assertThat(first.exitCode()).as(first.toString()).isZero();
        assertThat(first.out()).contains("✅ Expired 1,000 tokens from 1 lot and released 1 lapsed hold.");
        assertThat(second.out()).contains("Nothing to expire");
        assertThat(balance.get("balance").asLong()).isEqualTo(7000);
        assertThat(balance.get("totalExpired").asLong()).isEqualTo(1000);
        assertThat(balance.get("reserved").asLong()).isZero();
        assertThat(balance.get("holds")).isEmpty();
        assertThat(balance.get("lots")).hasSize(2);
        assertThat(balance.get("recent").get(0).get("kind").asText()).isEqualTo("expiry");
        assertThat(balance.get("recent").get(0).get("amount").asLong()).isEqualTo(-1000);
        assertThat(cli.run("audit").exitCode()).isZero();
    }

    @Test
    void shouldStopAtTheLimitAndSaySo() throws Exception {
        Cli cli = ownSchema();
        Cli now = cli.copy().clock(at(T0.plus(Duration.ofDays(40))));
        for (int i = 1; i <= 3; i++) {
            assertThat(now.run(
                                    "grant",
                                    Unique.user("max" + i),
                                    "10",
                                    "--reason",
                                    "short promo",
                                    "--idempotency-key",
                                    "short-" + i,
                                    "--expires-in",
                                    "1h")
                            .exitCode())
                    .isZero();
        }
        Cli later = cli.copy().clock(at(T0.plus(Duration.ofDays(41))));

        JsonNode first =
                JSON.readTree(later.run("expire", "--limit", "2", "-o", "json").out());
        Result table = later.run("expire", "--limit", "2");

        assertThat(first.get("lotsExpired").asInt()).isEqualTo(2);
        assertThat(first.get("tokensExpired").asLong()).isEqualTo(20);
        assertThat(first.get("limitReached").asBoolean()).isTrue();
        assertThat(table.out()).contains("✅ Expired 10 tokens from 1 lot and released 0 lapsed holds.");
        assertThat(table.err()).isEmpty();
    }

    @Test
    void shouldVoidWhatRemainsOfAGrantOnce() throws Exception {
        Cli cli = ownSchema();
        String lena = Unique.user("lena");
        long springLot = grantThreeLots(cli, lena);
        reserve(cli, lena);
        Cli later = later(cli);
        later.runOk("expire"); // the welcome promo's 1,000 tokens lapse and go
        // Soonest expiry first: the spring lot.
        cli.library(null, at(LATER))
                .service()
                .ledger()
                .debit(Debit.of(UserId.of(lena), 1500, IdempotencyKey.of("use-1"))
                        .withDescription("completion"));

        Result voided = later.run("void-grant", lena, Long.toString(springLot), "--reason", "promo ended");
        Result again = later.run("void-grant", lena, Long.toString(springLot), "--reason", "promo ended");
        JsonNode json = JSON.readTree(
                later.run("void-grant", lena, Long.toString(springLot), "--reason", "promo ended", "-o", "json")
                        .out());

        assertThat(voided.exitCode()).as(voided.toString()).isZero();
        assertThat(voided.out())
                .contains("✅ Voided 3,500 tokens of grant lot #" + springLot + " for " + lena + ": balance now 2,000.");
        assertThat(again.exitCode()).isZero();
        assertThat(again.out())
                .contains(
                        "⏭  Nothing to void: grant lot #" + springLot + " of " + lena + " has no tokens left (voided)");
        assertThat(json.fieldNames())
                .toIterable()
                .containsExactly("userId", "lotId", "tokensVoided", "remainingBefore", "stillHeld", "balance");
        assertThat(json.get("tokensVoided").asLong()).isZero();
        JsonNode balance =
                JSON.readTree(later.run("balance", lena, "-o", "json").out());
        assertThat(balance.get("balance").asLong()).isEqualTo(2000);
        assertThat(balance.get("totalGranted").asLong()).isEqualTo(4500);
        assertThat(balance.get("recent").get(0).get("kind").asText()).isEqualTo("void");
        assertThat(balance.get("recent").get(0).get("amount").asLong()).isEqualTo(-3500);
        assertThat(later.run("audit").exitCode()).isZero();
    }

    @Test
    void shouldRefuseToVoidAnUnknownLotOrOneThatIsNotAGrant() throws Exception {
        String lena = Unique.user("lena");
        String nobody = Unique.user("nobody");
        grantThreeLots(CLI, lena);
        Cli later = later(CLI);
        assertThat(later.run("adjust", lena, "+100", "--reason", "correction", "--idempotency-key", "adj-1")
                        .exitCode())
                .isZero();
        long adjustmentLot = -1;
        for (JsonNode lot : JSON.readTree(
                later.run("balance", lena, "--only", "lots", "-o", "json").out())) {
            if (lot.get("source").asText().equals("adjustment")) {
                adjustmentLot = lot.get("id").asLong();
            }
        }

        Result unknown = later.run("void-grant", lena, "999999", "--reason", "x");
        Result notAGrant = later.run("void-grant", lena, Long.toString(adjustmentLot), "--reason", "x");
        Result unknownUser = later.run("void-grant", nobody, "1", "--reason", "x");

        assertThat(unknown.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(unknown.err())
                .contains("unknown lot 999999 for user '" + lena + "'", "'billing balance " + lena + "' lists");
        assertThat(notAGrant.exitCode()).as(notAGrant.toString()).isEqualTo(ExitCodes.FAILED);
        assertThat(notAGrant.err()).contains("comes from an adjustment, not a grant", "only grants can be voided");
        assertThat(unknownUser.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(unknownUser.err()).contains("unknown user '" + nobody + "'");
    }

    @Test
    void shouldRefuseBadExpiryOptions() {
        String lena = Unique.user("lena");

        Result both = CLI.run("grant", lena, "10", "--reason", "x", "--expires-in", "1d", "--expires-at", "2031-01-01");
        Result past = CLI.run("grant", lena, "10", "--reason", "x", "--expires-at", "2029-12-31T23:59:59Z");
        Result notATime = CLI.run("grant", lena, "10", "--reason", "x", "--expires-at", "next week");
        Result badDuration = CLI.run("grant", lena, "10", "--reason", "x", "--expires-in", "30x");
        Result badLimit = CLI.run("expire", "--limit", "0");
        Result badPart = CLI.run("balance", lena, "--only", "everything");

        assertThat(both.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(both.err()).contains("give --expires-in or --expires-at, not both");
        assertThat(past.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(past.err()).contains("is not in the future");
        assertThat(notATime.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(notATime.err()).contains("'next week' is not a time with a zone", "ISO-8601");
        assertThat(badDuration.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(badDuration.err()).contains("--expires-in", "'30x'");
        assertThat(badLimit.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(badLimit.err()).contains("--limit must be between 1 and");
        assertThat(badPart.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(badPart.err()).contains("'everything' is not a part: use balance, lots, holds or recent");
    }

    /**
     * Lena's three lots, granted at T0 as {@link #shouldGrantALotThatExpiresAndIsDrawnFirst} does: a welcome promo of 1,000
     * (expires in 30 days, priority -1), a spring promo of 5,000 (expires 2030-06-01) and 2,000 that never expire.
     * Returns the spring promo's lot id.
     */
    private static long grantThreeLots(Cli cli, String lena) throws Exception {
        cli.runOk(
                "grant",
                lena,
                "1,000",
                "--reason",
                "welcome promo",
                "--idempotency-key",
                "g1",
                "--expires-in",
                "30d",
                "--priority",
                "-1");
        Result spring = cli.runOk(
                "grant",
                lena,
                "5k",
                "--reason",
                "spring promo",
                "--idempotency-key",
                "g2",
                "--expires-at",
                "2030-06-01",
                "-o",
                "json");
        cli.runOk("grant", lena, "2000", "--reason", "support gesture", "--idempotency-key", "g3");
        return JSON.readTree(spring.out()).get("lotId").asLong();
    }

    /** A hold of 500 tokens for ten minutes from T0, taken through the library as an application would. */
    private static Reservation reserve(Cli cli, String lena) {
        return cli.library(null, at(T0))
                .service()
                .reservations()
                .reserve(ReservationRequest.of(UserId.of(lena), 500, Duration.ofMinutes(10), IdempotencyKey.of("req-1"))
                        .withDescription("chat completion"));
    }

    /** A fresh, migrated schema on the same fixed clock, for tests whose {@code expire} would otherwise reach other tests' users. */
    private static Cli ownSchema() {
        return Cli.forClass(LotsCommandsTest.class).clock(at(T0)).migrated();
    }

    /** The CLI a month on: lena's welcome promo has lapsed, and the hold too. */
    private static Cli later(Cli cli) {
        return cli.copy().clock(at(LATER));
    }

    private static Clock at(Instant instant) {
        return Clock.fixed(instant, ZoneOffset.UTC);
    }
}
