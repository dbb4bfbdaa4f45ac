package dev.tokenbilling.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenbilling.cli.support.Cli;
import dev.tokenbilling.cli.support.Cli.Result;
import dev.tokenbilling.cli.support.Unique;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code grant}, {@code adjust}, {@code balance}, {@code balances}, {@code ledger}: the token ledger from the command line.
 * Tests share the class's schema with users of their own ({@link Unique}); listing every user takes a schema of its own.
 */
class LedgerCommandsTest {

    private static final Cli CLI = Cli.forClass(LedgerCommandsTest.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void migrate() {
        CLI.migrated();
    }

    @Test
    void shouldGrantTokensOncePerIdempotencyKey() {
        String alice = Unique.user("alice");

        Result first =
                CLI.run("grant", alice, "500,000", "--reason", "launch promo", "--idempotency-key", "promo-alice");
        Result again = CLI.run("grant", alice, "500k", "--reason", "launch promo", "--idempotency-key", "promo-alice");

        assertThat(first.exitCode()).as(first.toString()).isZero();
        assertThat(first.out()).contains("✅ Granted +500,000 tokens for " + alice + ": balance now 500,000 (entry #");
        assertThat(again.exitCode()).isZero();
        assertThat(again.out())
                .contains("Already done: idempotency key 'promo-alice' was used for entry #", "nothing changed");
        assertThat(CLI.run("balance", alice, "-o", "json").out()).contains("\"balance\": 500000");
    }

    @Test
    void shouldPrintAGeneratedIdempotencyKeyWhenNoneIsGiven() {
        Result result = CLI.run("grant", Unique.user("bob"), "1200", "--reason", "support gesture");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).contains("idempotency key: cli-grant-", "pass --idempotency-key to make a retry safe");
    }

    @Test
    void shouldAdjustEitherWayAndRefuseADebitBeyondTheBalance() {
        String alice = Unique.user("alice");
        String bob = Unique.user("bob");
        grantLaunchPromo(CLI, alice);
        CLI.runOk("grant", bob, "1200", "--reason", "support gesture");

        Result debit = CLI.run("adjust", alice, "-1200", "--reason", "double credit", "--idempotency-key", "fix-1");
        Result tooMuch = CLI.run("adjust", bob, "-5000", "--reason", "oops", "--idempotency-key", "fix-2");
        Result conflict = CLI.run("adjust", alice, "+99", "--reason", "other", "--idempotency-key", "fix-1");

        assertThat(debit.exitCode()).as(debit.toString()).isZero();
        assertThat(debit.out()).contains("Adjusted -1,200 tokens for " + alice + ": balance now 498,800");
        assertThat(tooMuch.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(tooMuch.err()).startsWith("error[insufficient_tokens]: ").contains(bob, "1200", "5000");
        assertThat(conflict.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(conflict.err()).startsWith("error[idempotency_conflict]: ").contains("fix-1");
        assertThat(CLI.run("balance", bob, "-o", "json").out()).contains("\"balance\": 1200");
    }

    @Test
    void shouldShowBalanceTotalsAndRecentEntries() {
        String alice = Unique.user("alice");
        grantLaunchPromoAndDebit(CLI, alice);

        Result result = CLI.run("balance", alice);

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out())
                .contains(
                        "User:",
                        alice,
                        "Balance:",
                        "498,800 tokens",
                        "Granted:",
                        "500,000",
                        "Adjusted:",
                        "-1,200",
                        "Last 2 ledger entries:",
                        "adjustment",
                        "grant",
                        "+500,000",
                        "launch promo");
        assertThat(result.out())
                .contains("Reserved:  0", "Debt:      0", "Open lots (1), in draw order:", "Active holds: none")
                .containsPattern("grant\\s+498,800 / 500,000\\s+0\\s+never");
    }

    @Test
    void shouldGiveStableJsonFieldsForBalance() throws Exception {
        String alice = Unique.user("alice");
        grantLaunchPromoAndDebit(CLI, alice);

        JsonNode json =
                JSON.readTree(CLI.run("balance", alice, "--output", "json").out());

        assertThat(json.fieldNames()).toIterable().containsExactly(Cli.BALANCE_JSON_FIELDS);
        assertThat(json.get("lots")).hasSize(1);
        assertThat(json.get("lots").get(0).get("remaining").asLong()).isEqualTo(498_800);
        assertThat(json.get("holds")).isEmpty();
        assertThat(json.get("balance").asLong()).isEqualTo(498_800);
        assertThat(json.get("recent").get(0).fieldNames())
                .toIterable()
                .containsExactly(
                        "id",
                        "createdAt",
                        "kind",
                        "amount",
                        "balanceAfter",
                        "purchaseId",
                        "idempotencyKey",
                        "description");
        assertThat(json.get("recent").get(0).get("amount").asLong()).isEqualTo(-1200);
    }

    @Test
    void shouldReportAnUnknownUser() {
        String mallory = Unique.user("mallory");

        Result balance = CLI.run("balance", mallory);
        Result ledger = CLI.run("ledger", mallory);

        assertThat(balance.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(balance.err())
                .contains("unknown user '" + mallory + "'", "'billing balances' lists users")
                .doesNotContain("\tat ");
        assertThat(ledger.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(ledger.err()).contains("unknown user '" + mallory + "'");
    }

    @Test
    void shouldListUsersByBalanceAsTableJsonAndCsv() throws Exception {
        Cli cli = Cli.forClass(LedgerCommandsTest.class).migrated(); // 'balances' lists every user: a schema of its own
        String alice = Unique.user("alice");
        grantLaunchPromoAndDebit(cli, alice);
        cli.runOk("grant", Unique.user("bob"), "1200", "--reason", "support gesture");

        Result table = cli.run("balances", "--top", "5");
        Result csv = cli.run("balances", "--output", "csv");
        JsonNode json = JSON.readTree(cli.run("balances", "-o", "json").out());

        assertThat(table.lines().get(0))
                .startsWith("USER")
                .contains("BALANCE", "AVAILABLE", "PURCHASED", "GRANTED", "USED");
        assertThat(table.lines().get(1)).startsWith(alice).contains("498,800");
        assertThat(csv.lines().get(0))
                .isEqualTo("userId,balance,available,reserved,totalPurchased,totalGranted,totalUsed,totalReversed,"
                        + "totalAdjusted,totalExpired,updatedAt,debt");
        assertThat(csv.lines().get(1))
                .startsWith(alice + ",498800,498800,0,0,500000,0,0,-1200,0,")
                .endsWith(",0");
        assertThat(json.isArray()).isTrue();
        assertThat(json.get(0).get("userId").asText()).isEqualTo(alice);
        assertThat(cli.run("balances", "--negative").out()).contains("No negative balances.");
    }

    @Test
    void shouldUseColorsOnlyOnATerminalAndNeverWithNoColor() {
        grantLaunchPromo(CLI, Unique.user("alice"));

        Result terminal = CLI.copy().onTerminal().run("balances");
        Result noColor = CLI.copy().onTerminal().run("balances", "--no-color");
        Result envNoColor = CLI.copy().onTerminal().env("NO_COLOR", "1").run("balances");
        Result piped = CLI.run("balances");

        assertThat(terminal.out()).contains("\u001B[1mUSER");
        assertThat(noColor.out()).doesNotContain("\u001B[");
        assertThat(envNoColor.out()).doesNotContain("\u001B[");
        assertThat(piped.out()).doesNotContain("\u001B[");
    }

    @Test
    void shouldDrawProgressOnlyOnATerminalAndOnlyOnStandardError() {
        String carol = Unique.user("carol");
        grantFiveDrips(carol);

        Result terminal = CLI.copy().onTerminal().run("ledger", carol);
        Result piped = CLI.run("ledger", carol);
        Result json = CLI.copy().onTerminal().run("ledger", carol, "-o", "json");

        assertThat(terminal.err()).contains("\rRead 5 entries…");
        assertThat(terminal.out()).doesNotContain("\r");
        assertThat(piped.err()).isEmpty();
        assertThat(json.err()).isEmpty();
    }

    @Test
    void shouldPageTheLedgerWithTheCursor() throws Exception {
        String carol = Unique.user("carol");
        grantFiveDrips(carol);

        Result first = CLI.run("ledger", carol, "--limit", "2");
        String more = first.lines().get(first.lines().size() - 1);
        String cursor =
                more.substring(more.indexOf("--cursor ") + "--cursor ".length()).trim();
        Result second = CLI.run("ledger", carol, "--limit", "2", "--cursor", cursor);
        JsonNode all = JSON.readTree(
                CLI.run("ledger", carol, "--limit", "10", "-o", "json").out());

        assertThat(first.out()).contains("drip 5", "drip 4").doesNotContain("drip 3");
        assertThat(more).startsWith("-- more: billing ledger " + carol + " --limit 2 --cursor ");
        assertThat(second.out()).contains("drip 3", "drip 2").doesNotContain("drip 4", "drip 1");
        assertThat(all.get("items")).hasSize(5);
        assertThat(all.get("nextCursor").isNull()).isTrue();
        assertThat(CLI.run("ledger", carol, "--cursor", "!!").err()).contains("cursor");
    }

    /** 500,000 tokens for {@code alice}, "launch promo". */
    private static void grantLaunchPromo(Cli cli, String alice) {
        cli.runOk("grant", alice, "500,000", "--reason", "launch promo", "--idempotency-key", "promo-alice");
    }

    /** The launch promo, then 1,200 of it taken back: a balance of 498,800 in two ledger entries. */
    private static void grantLaunchPromoAndDebit(Cli cli, String alice) {
        grantLaunchPromo(cli, alice);
        cli.runOk("adjust", alice, "-1200", "--reason", "double credit", "--idempotency-key", "fix-1");
    }

    /** Five grants of 10 to 50 tokens, "drip 1" to "drip 5". */
    private static void grantFiveDrips(String carol) {
        for (int i = 1; i <= 5; i++) {
            CLI.runOk(
                    "grant",
                    carol,
                    Integer.toString(i * 10),
                    "--reason",
                    "drip " + i,
                    "--idempotency-key",
                    "drip-" + i);
        }
    }
}
