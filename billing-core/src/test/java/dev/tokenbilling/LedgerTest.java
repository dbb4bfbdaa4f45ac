package dev.tokenbilling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenbilling.error.IdempotencyConflictException;
import dev.tokenbilling.error.InsufficientTokensException;
import dev.tokenbilling.error.InvalidRequestException;
import dev.tokenbilling.model.Adjustment;
import dev.tokenbilling.model.Debit;
import dev.tokenbilling.model.Grant;
import dev.tokenbilling.model.IdempotencyKey;
import dev.tokenbilling.model.LedgerEntry;
import dev.tokenbilling.model.LedgerEntryKind;
import dev.tokenbilling.model.LedgerReceipt;
import dev.tokenbilling.model.Page;
import dev.tokenbilling.model.PageRequest;
import dev.tokenbilling.model.TokenBalance;
import dev.tokenbilling.model.UsageReceipt;
import dev.tokenbilling.model.UsageResult;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.service.TokenBillingService;
import dev.tokenbilling.support.BillingFixture;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class LedgerTest {

    private static BillingFixture fixture;
    private static TokenBillingService service;
    private static int users;

    @BeforeAll
    static void migrate() {
        fixture = BillingFixture.create(LedgerTest.class);
        service = fixture.service;
    }

    @AfterEach
    void ledgerStaysSound() {
        fixture.assertLedgerInvariants();
    }

    private static UserId newUser() {
        return UserId.of("user-" + (++users));
    }

    @Test
    void shouldReportZeroBalanceForUnknownUser() {
        TokenBalance balance = service.ledger().balance(UserId.of("nobody"));

        assertThat(balance.balance()).isZero();
        assertThat(balance.totalPurchased()).isZero();
        assertThat(balance.totalUsed()).isZero();
        assertThat(balance.available()).isZero();
        assertThat(balance.updatedAt()).isEmpty();
    }

    @Test
    void shouldGrantThenConsumeAndKeepTotals() {
        UserId user = newUser();
        service.ledger().grant(Grant.of(user, 10_000, IdempotencyKey.of("grant-1"), "welcome bonus"));

        UsageReceipt receipt = service.ledger()
                .debit(Debit.of(user, 1_250, IdempotencyKey.of("req-1")).withDescription("chat completion"));

        assertThat(receipt.replayed()).isFalse();
        assertThat(receipt.tokens()).isEqualTo(1_250);
        assertThat(receipt.balanceAfter()).isEqualTo(8_750);
        assertThat(receipt.entry().kind()).isEqualTo(LedgerEntryKind.USAGE);
        assertThat(receipt.entry().description()).isEqualTo("chat completion");
        TokenBalance balance = service.ledger().balance(user);
        assertThat(balance.balance()).isEqualTo(8_750);
        assertThat(balance.totalGranted()).isEqualTo(10_000);
        assertThat(balance.totalUsed()).isEqualTo(1_250);
        assertThat(balance.updatedAt()).isPresent();
    }

    @Test
    void shouldReplayRepeatedConsumeWithoutDebitingAgain() {
        UserId user = newUser();
        service.ledger().grant(Grant.of(user, 5_000, IdempotencyKey.of("g"), "bonus"));
        UsageReceipt first = service.ledger()
                .debit(Debit.of(user, 1_000, IdempotencyKey.of("req-7f3a")).withDescription("first"));

        UsageReceipt again = service.ledger()
                .debit(Debit.of(user, 1_000, IdempotencyKey.of("req-7f3a")).withDescription("first"));

        assertThat(again.replayed()).isTrue();
        assertThat(again.entry()).isEqualTo(first.entry());
        assertThat(service.ledger().balance(user).balance()).isEqualTo(4_000);
    }

    @Test
    void shouldRefuseKeyReusedForAnotherAmount() {
        UserId user = newUser();
        service.ledger().grant(Grant.of(user, 5_000, IdempotencyKey.of("g"), "bonus"));
        service.ledger().debit(Debit.of(user, 1_000, IdempotencyKey.of("req-1")).withDescription(""));

        assertThatThrownBy(() -> service.ledger()
                        .debit(Debit.of(user, 2_000, IdempotencyKey.of("req-1")).withDescription("")))
                .isInstanceOf(IdempotencyConflictException.class)
                .hasMessageContaining("req-1");
        assertThat(service.ledger().balance(user).balance()).isEqualTo(4_000);
    }

    @Test
    void shouldRefuseConsumeBeyondBalanceWithAvailableCount() {
        UserId user = newUser();
        service.ledger().grant(Grant.of(user, 900, IdempotencyKey.of("g"), "bonus"));

        assertThatThrownBy(() -> service.ledger()
                        .debit(Debit.of(user, 901, IdempotencyKey.of("req-1")).withDescription("")))
                .isInstanceOfSatisfying(InsufficientTokensException.class, e -> {
                    assertThat(e.available()).isEqualTo(900);
                    assertThat(e.requested()).isEqualTo(901);
                });
        assertThat(service.ledger().balance(user).balance()).isEqualTo(900);
        // The refused key is not burnt: the same request succeeds once it is affordable.
        service.ledger().grant(Grant.of(user, 100, IdempotencyKey.of("g2"), "top-up"));
        assertThat(service.ledger()
                        .debit(Debit.of(user, 901, IdempotencyKey.of("req-1")).withDescription(""))
                        .replayed())
                .isFalse();
        assertThat(service.ledger().balance(user).balance()).isEqualTo(99);
    }

    @Test
    void shouldRefuseConsumeByUnknownUser() {
        assertThatThrownBy(() -> service.ledger()
                        .debit(Debit.of(UserId.of("ghost"), 1, IdempotencyKey.of("req-1"))
                                .withDescription("")))
                .isInstanceOfSatisfying(
                        InsufficientTokensException.class,
                        e -> assertThat(e.available()).isZero());
        assertThat(service.ledger().balance(UserId.of("ghost")).updatedAt()).isEmpty();
    }

    @Test
    void shouldConsumeTheWholeBalanceExactly() {
        UserId user = newUser();
        service.ledger().grant(Grant.of(user, 777, IdempotencyKey.of("g"), "bonus"));

        service.ledger().debit(Debit.of(user, 777, IdempotencyKey.of("all")).withDescription(""));

        assertThat(service.ledger().balance(user).balance()).isZero();
    }

    @Test
    void shouldRejectBadInputAndChangeNothing() {
        UserId user = newUser();
        service.ledger().grant(Grant.of(user, 1_000, IdempotencyKey.of("g"), "bonus"));

        assertThatThrownBy(() -> service.ledger()
                        .debit(Debit.of(user, 0, IdempotencyKey.of("k")).withDescription("")))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("tokens");
        assertThatThrownBy(() -> service.ledger()
                        .debit(Debit.of(user, -5, IdempotencyKey.of("k")).withDescription("")))
                .isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> service.ledger()
                        .debit(Debit.of(user, 5, IdempotencyKey.of(" ")).withDescription("")))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("idempotencyKey");
        assertThatThrownBy(() -> service.ledger()
                        .debit(Debit.of(user, 5, IdempotencyKey.of("k".repeat(256)))
                                .withDescription("")))
                .isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> service.ledger()
                        .debit(Debit.of(user, 5, IdempotencyKey.of("k")).withDescription("d".repeat(1001))))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("description");
        assertThatThrownBy(() -> service.ledger()
                        .debit(Debit.of(null, 5, IdempotencyKey.of("k")).withDescription("")))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("userId");
        assertThatThrownBy(() -> UserId.of(" "))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("blank");
        assertThatThrownBy(() -> UserId.of("u".repeat(256))).isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> service.ledger().grant(Grant.of(user, 5, IdempotencyKey.of("g-x"), " ")))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("reason");
        assertThatThrownBy(() -> service.ledger().adjust(Adjustment.of(user, 0, IdempotencyKey.of("a-x"), "oops")))
                .isInstanceOf(InvalidRequestException.class);

        assertThat(service.ledger().balance(user).balance()).isEqualTo(1_000);
        assertThat(service.ledger().history(user, PageRequest.first(10)).items())
                .hasSize(1);
    }

    @Test
    void shouldGrantOncePerIdempotencyKey() {
        UserId user = newUser();
        LedgerReceipt first =
                service.ledger().grant(Grant.of(user, 500, IdempotencyKey.of("ticket-42"), "support gesture"));
        LedgerReceipt second =
                service.ledger().grant(Grant.of(user, 500, IdempotencyKey.of("ticket-42"), "support gesture"));

        assertThat(first.replayed()).isFalse();
        assertThat(second.replayed()).isTrue();
        assertThat(second.entry().id()).isEqualTo(first.entry().id());
        assertThat(service.ledger().balance(user).balance()).isEqualTo(500);
        assertThatThrownBy(() ->
                        service.ledger().grant(Grant.of(user, 600, IdempotencyKey.of("ticket-42"), "support gesture")))
                .isInstanceOf(IdempotencyConflictException.class);
    }

    @Test
    void shouldAdjustBothWaysButNeverBelowZero() {
        UserId user = newUser();
        service.ledger().adjust(Adjustment.of(user, 300, IdempotencyKey.of("adj-1"), "migration from old system"));
        service.ledger().adjust(Adjustment.of(user, -100, IdempotencyKey.of("adj-2"), "correction"));

        assertThatThrownBy(() ->
                        service.ledger().adjust(Adjustment.of(user, -201, IdempotencyKey.of("adj-3"), "too much")))
                .isInstanceOf(InsufficientTokensException.class);
        TokenBalance balance = service.ledger().balance(user);
        assertThat(balance.balance()).isEqualTo(200);
        assertThat(balance.totalAdjusted()).isEqualTo(200);
    }

    @Test
    void shouldPageLedgerNewestFirstWithStableCursor() {
        UserId user = newUser();
        service.ledger().grant(Grant.of(user, 100_000, IdempotencyKey.of("g"), "bonus"));
        for (int i = 1; i <= 25; i++) {
            service.ledger()
                    .debit(Debit.of(user, i, IdempotencyKey.of("req-" + i)).withDescription("usage " + i));
        }

        List<LedgerEntry> all = new ArrayList<>();
        Page<LedgerEntry> page = service.ledger().history(user, PageRequest.first(10));
        all.addAll(page.items());
        while (page.nextCursor().isPresent()) {
            service.ledger()
                    .debit(Debit.of(user, 1, IdempotencyKey.of("late-" + all.size()))
                            .withDescription("arrives while paging"));
            page = service.ledger()
                    .history(user, PageRequest.after(page.nextCursor().get(), 10));
            all.addAll(page.items());
        }

        assertThat(all).hasSize(26);
        assertThat(all).extracting(LedgerEntry::id).isSortedAccordingTo((a, b) -> Long.compare(b, a));
        assertThat(all.get(0).description()).isEqualTo("usage 25");
        assertThat(all.get(25).kind()).isEqualTo(LedgerEntryKind.GRANT);
        assertThatThrownBy(() -> service.ledger().history(user, PageRequest.after("not a cursor!", 10)))
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("cursor");
    }

    @Test
    void shouldConsumeBatchWithPerItemResults() {
        UserId rich = newUser();
        UserId poor = newUser();
        service.ledger().grant(Grant.of(rich, 1_000, IdempotencyKey.of("g"), "bonus"));
        service.ledger().grant(Grant.of(poor, 10, IdempotencyKey.of("g"), "bonus"));
        service.ledger()
                .debit(Debit.of(rich, 5, IdempotencyKey.of("seen-before")).withDescription(""));

        List<UsageResult> results = service.ledger()
                .debitAll(List.of(
                        new Debit(rich, 100, IdempotencyKey.of("b-1"), "one"),
                        new Debit(poor, 11, IdempotencyKey.of("b-2"), "too much"),
                        new Debit(rich, 5, IdempotencyKey.of("seen-before"), ""),
                        new Debit(rich, 100, IdempotencyKey.of("b-1"), "one"),
                        new Debit(poor, 10, IdempotencyKey.of("b-4"), "exactly all"),
                        new Debit(rich, 7, IdempotencyKey.of("seen-before"), "conflict")));

        assertThat(results)
                .extracting(UsageResult::status)
                .containsExactly(
                        UsageResult.Status.DEBITED,
                        UsageResult.Status.INSUFFICIENT_TOKENS,
                        UsageResult.Status.REPLAYED,
                        UsageResult.Status.REPLAYED,
                        UsageResult.Status.DEBITED,
                        UsageResult.Status.REJECTED);
        assertThat(results.get(0).receipt().orElseThrow().balanceAfter()).isEqualTo(895);
        // The refusal reports what was available when the item ran: before the later "exactly all" item.
        assertThat(results.get(1).available()).isEqualTo(10);
        assertThat(results.get(5).error()).isPresent();
        assertThat(results.get(3).receipt().map(r -> r.entry().id()))
                .isEqualTo(results.get(0).receipt().map(r -> r.entry().id()));
        // An invalid item cannot even be built, so it never reaches a batch.
        assertThatThrownBy(() -> new Debit(rich, 0, IdempotencyKey.of("b-3"), "invalid"))
                .isInstanceOfSatisfying(
                        InvalidRequestException.class,
                        e -> assertThat(e.field()).isEqualTo("tokens"));
        assertThat(service.ledger().balance(rich).balance()).isEqualTo(895);
        assertThat(service.ledger().balance(poor).balance()).isZero();
        assertThat(service.ledger().debitAll(List.of())).isEmpty();
    }

    @Test
    void shouldAnswerABatchRepeatOfADebitThatSpentTheBalanceAsReplayed() {
        // The repeat would be refused for its balance if it were new; it is not new.
        UserId user = newUser();
        service.ledger().grant(Grant.of(user, 100, IdempotencyKey.of("g"), "bonus"));
        service.ledger().setSpendLimit(user, 1_000);
        service.ledger().debit(Debit.of(user, 100, IdempotencyKey.of("all of it")));
        UserId limited = newUser();
        service.ledger().grant(Grant.of(limited, 1_000, IdempotencyKey.of("g"), "bonus"));
        service.ledger().setSpendLimit(limited, 100);
        service.ledger().debit(Debit.of(limited, 100, IdempotencyKey.of("the month's usage")));

        List<UsageResult> results = service.ledger()
                .debitAll(List.of(
                        Debit.of(user, 100, IdempotencyKey.of("all of it")),
                        Debit.of(limited, 100, IdempotencyKey.of("the month's usage")),
                        Debit.of(limited, 1, IdempotencyKey.of("one more"))));

        assertThat(results)
                .extracting(UsageResult::status)
                .containsExactly(
                        UsageResult.Status.REPLAYED,
                        UsageResult.Status.REPLAYED,
                        UsageResult.Status.SPEND_LIMIT_REACHED);
        assertThat(service.ledger().balance(user).balance()).isZero();
        assertThat(service.ledger().balance(limited).balance()).isEqualTo(900);
    }

    @Test
    void shouldKeepTheBatchFunctionOfEarlierVersions() throws Exception {
        // Earlier versions of the library call ledger_debit_batch with five arguments; since V11 that
        // form reads the used keys itself, as it always did.
        UserId user = newUser();
        service.ledger().grant(Grant.of(user, 1_000, IdempotencyKey.of("g"), "bonus"));
        service.ledger().debit(Debit.of(user, 5, IdempotencyKey.of("seen-before")));
        List<String> outcomes = new ArrayList<>();
        try (Connection connection = fixture.dataSource.getConnection();
                var batch = connection.prepareStatement("SELECT r_outcome, balance_after FROM " + fixture.schema
                        + ".ledger_debit_batch(?, '{100, 5}', '{new, seen-before}', '{one, two}', now())")) {
            batch.setArray(1, connection.createArrayOf("text", new String[] {user.value(), user.value()}));
            try (var rows = batch.executeQuery()) {
                while (rows.next()) {
                    outcomes.add(rows.getString(1) + " " + rows.getLong(2));
                }
            }
        }

        assertThat(outcomes).containsExactly("posted 895", "duplicate 995");
        assertThat(service.ledger().balance(user).balance()).isEqualTo(895);
    }

    @Test
    void shouldAnswerABatchItemAsRepeatedWhenItsKeyIsUsedWhileTheBatchWaitsForTheLock() throws Exception {
        UserId user = newUser();
        service.ledger().grant(Grant.of(user, 1_000, IdempotencyKey.of("g"), "bonus"));
        try (Connection holder = fixture.dataSource.getConnection()) {
            lockBalanceRow(holder, user);
            CompletableFuture<List<UsageResult>> batch = CompletableFuture.supplyAsync(() ->
                    service.ledger().debitAll(List.of(new Debit(user, 100, IdempotencyKey.of("raced"), "batch"))));
            waitUntilLockWaiters(holder, 1);
            // The same key is used by a single debit that commits while the batch waits.
            try (var debit = holder.prepareStatement("SELECT id FROM " + fixture.schema
                    + ".ledger_debit(?, 'usage', 100, false, NULL, 'raced', NULL, 'single', now(), 0, 100, 0, 0, 0)")) {
                debit.setString(1, user.value());
                debit.executeQuery().close();
            }
            holder.commit();

            List<UsageResult> results = batch.get(30, TimeUnit.SECONDS);

            assertThat(results).extracting(UsageResult::status).containsExactly(UsageResult.Status.REPLAYED);
            assertThat(results.get(0).receipt().orElseThrow().entry().description())
                    .isEqualTo("single");
            assertThat(service.ledger().balance(user).balance()).isEqualTo(900);
        }
    }

    @Test
    void shouldKeepABatchThatSharesAUserWithARunningOneOutOfPostgresqlForAMomentThenLetItWaitThere() throws Exception {
        UserId user = newUser();
        service.ledger().grant(Grant.of(user, 1_000, IdempotencyKey.of("g"), "bonus"));
        CompletableFuture<List<UsageResult>> first;
        CompletableFuture<List<UsageResult>> second;
        long reachedPostgresql;
        long started;
        try (Connection holder = fixture.dataSource.getConnection()) {
            // Another transaction (a caller's, another instance's) holds the row the first batch needs.
            lockBalanceRow(holder, user);
            first = CompletableFuture.supplyAsync(
                    () -> service.ledger().debitAll(List.of(new Debit(user, 10, IdempotencyKey.of("first"), "batch"))));
            waitUntilLockWaiters(holder, 1);
            started = System.nanoTime();
            second = CompletableFuture.supplyAsync(() ->
                    service.ledger().debitAll(List.of(new Debit(user, 20, IdempotencyKey.of("second"), "batch"))));
            // The second batch waits in the process while the first runs, holding nothing, and only
            // for a moment: then it goes on and waits in PostgreSQL, so an outside holder cannot stall it.
            waitUntilLockWaiters(holder, 2);
            reachedPostgresql = System.nanoTime();
            holder.rollback();
        }

        assertThat(Duration.ofNanos(reachedPostgresql - started)).isGreaterThanOrEqualTo(Duration.ofMillis(150));
        assertThat(first.get(30, TimeUnit.SECONDS))
                .singleElement()
                .satisfies(r -> assertThat(r.debited()).isTrue());
        assertThat(second.get(30, TimeUnit.SECONDS))
                .singleElement()
                .satisfies(r -> assertThat(r.debited()).isTrue());
        assertThat(service.ledger().balance(user).balance()).isEqualTo(970);
    }

    /** Locks the user's balance row in a transaction of {@code holder}, left open. */
    private static void lockBalanceRow(Connection holder, UserId user) throws Exception {
        holder.setAutoCommit(false);
        try (var lock = holder.prepareStatement(
                "SELECT 1 FROM " + fixture.schema + ".token_balance WHERE user_id = ? FOR UPDATE")) {
            lock.setString(1, user.value());
            lock.executeQuery().close();
        }
    }

    private static void waitUntilLockWaiters(Connection observer, int count) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        try (var waiting = observer.prepareStatement(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()")) {
            while (true) {
                try (ResultSet row = waiting.executeQuery()) {
                    row.next();
                    if (row.getLong(1) >= count) {
                        return;
                    }
                }
                assertThat(System.nanoTime()).as("%d waiting for a lock", count).isLessThan(deadline);
                Thread.sleep(5);
            }
        }
    }

    @Test
    void shouldListBalancesByAmount() {
        UserId a = UserId.of("rank-a");
        UserId b = UserId.of("rank-b");
        service.ledger().grant(Grant.of(a, 1_000_000_000, IdempotencyKey.of("g"), "whale"));
        service.ledger().grant(Grant.of(b, 999_999_999, IdempotencyKey.of("g"), "almost whale"));

        assertThat(service.ledger().balances(2, false))
                .extracting(TokenBalance::userId)
                .containsExactly(a, b);
        assertThat(service.ledger().balances(10, true)).isEmpty();
        assertThatThrownBy(() -> service.ledger().balances(0, false)).isInstanceOf(InvalidRequestException.class);
    }

    @Test
    void shouldKeepLedgerAppendOnly() throws Exception {
        UserId user = newUser();
        LedgerReceipt receipt = service.ledger().grant(Grant.of(user, 10, IdempotencyKey.of("g"), "bonus"));

        try (var connection = fixture.dataSource.getConnection();
                var statement = connection.createStatement()) {
            assertThatThrownBy(() -> statement.executeUpdate(
                            "UPDATE " + fixture.schema + ".token_transaction SET amount = 1000 WHERE id = "
                                    + receipt.entry().id()))
                    .hasMessageContaining("append-only");
            assertThatThrownBy(() -> statement.executeUpdate("DELETE FROM " + fixture.schema
                            + ".token_transaction WHERE id = " + receipt.entry().id()))
                    .hasMessageContaining("append-only");
        }
        assertThat(service.ledger().history(user, PageRequest.first(5)).items())
                .extracting(LedgerEntry::amount)
                .containsExactly(10L);
    }

    @Test
    void shouldFindEntriesByIdempotencyKey() {
        UserId user = newUser();
        service.ledger().grant(Grant.of(user, 10, IdempotencyKey.of("g-find"), "bonus"));

        assertThat(fixture.billing.store().ledger().findByIdempotencyKey(user, "g-find"))
                .isPresent();
        assertThat(fixture.billing.store().ledger().findByIdempotencyKey(user, "missing"))
                .isEqualTo(Optional.empty());
    }
}
