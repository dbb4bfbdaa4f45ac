package dev.tokenbilling;

import dev.tokenbilling.error.IdempotencyConflictException;
import dev.tokenbilling.error.InsufficientTokensException;
import dev.tokenbilling.error.InvalidRequestException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenbilling.model.LedgerEntry;
import dev.tokenbilling.model.LedgerEntryKind;
import dev.tokenbilling.model.LedgerReceipt;
import dev.tokenbilling.model.Page;
import dev.tokenbilling.model.PageRequest;
import dev.tokenbilling.model.TokenBalance;
import dev.tokenbilling.model.UsageReceipt;
import dev.tokenbilling.model.UsageRequest;
import dev.tokenbilling.model.UsageResult;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.support.BillingFixture;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
        TokenBalance balance = service.balance(UserId.of("nobody"));

        assertThat(balance.balance()).isZero();
        assertThat(balance.totalPurchased()).isZero();
        assertThat(balance.totalUsed()).isZero();
        assertThat(balance.available()).isZero();
        assertThat(balance.updatedAt()).isEmpty();
    }

    @Test
    void shouldGrantThenConsumeAndKeepTotals() {
        UserId user = newUser();
        service.grant(user, 10_000, "welcome bonus", "grant-1");

        UsageReceipt receipt = service.consume(user, 1_250, "req-1", "chat completion");

        assertThat(receipt.replayed()).isFalse();
        assertThat(receipt.tokens()).isEqualTo(1_250);
        assertThat(receipt.balanceAfter()).isEqualTo(8_750);
        assertThat(receipt.entry().kind()).isEqualTo(LedgerEntryKind.USAGE);
        assertThat(receipt.entry().description()).isEqualTo("chat completion");
        TokenBalance balance = service.balance(user);
        assertThat(balance.balance()).isEqualTo(8_750);
        assertThat(balance.totalGranted()).isEqualTo(10_000);
        assertThat(balance.totalUsed()).isEqualTo(1_250);
        assertThat(balance.updatedAt()).isPresent();
    }

    @Test
    void shouldReplayRepeatedConsumeWithoutDebitingAgain() {
        UserId user = newUser();
        service.grant(user, 5_000, "bonus", "g");
        UsageReceipt first = service.consume(user, 1_000, "req-7f3a", "first");

        UsageReceipt again = service.consume(user, 1_000, "req-7f3a", "first");

        assertThat(again.replayed()).isTrue();
        assertThat(again.entry()).isEqualTo(first.entry());
        assertThat(service.balance(user).balance()).isEqualTo(4_000);
    }

    @Test
    void shouldRefuseKeyReusedForAnotherAmount() {
        UserId user = newUser();
        service.grant(user, 5_000, "bonus", "g");
        service.consume(user, 1_000, "req-1", "");

        assertThatThrownBy(() -> service.consume(user, 2_000, "req-1", ""))
                .isInstanceOf(IdempotencyConflictException.class)
                .hasMessageContaining("req-1");
        assertThat(service.balance(user).balance()).isEqualTo(4_000);
    }

    @Test
    void shouldRefuseConsumeBeyondBalanceWithAvailableCount() {
        UserId user = newUser();
        service.grant(user, 900, "bonus", "g");

        assertThatThrownBy(() -> service.consume(user, 901, "req-1", ""))
                .isInstanceOfSatisfying(InsufficientTokensException.class, e -> {
                    assertThat(e.available()).isEqualTo(900);
                    assertThat(e.requested()).isEqualTo(901);
                });
        assertThat(service.balance(user).balance()).isEqualTo(900);
        // The refused key is not burnt: the same request succeeds once it is affordable.
        service.grant(user, 100, "top-up", "g2");
        assertThat(service.consume(user, 901, "req-1", "").replayed()).isFalse();
        assertThat(service.balance(user).balance()).isEqualTo(99);
    }

    @Test
    void shouldRefuseConsumeByUnknownUser() {
        assertThatThrownBy(() -> service.consume(UserId.of("ghost"), 1, "req-1", ""))
                .isInstanceOfSatisfying(InsufficientTokensException.class, e -> assertThat(e.available()).isZero());
        assertThat(service.balance(UserId.of("ghost")).updatedAt()).isEmpty();
    }

    @Test
    void shouldConsumeTheWholeBalanceExactly() {
        UserId user = newUser();
        service.grant(user, 777, "bonus", "g");

        service.consume(user, 777, "all", "");

        assertThat(service.balance(user).balance()).isZero();
    }

    @Test
    void shouldRejectBadInputAndChangeNothing() {
        UserId user = newUser();
        service.grant(user, 1_000, "bonus", "g");

        assertThatThrownBy(() -> service.consume(user, 0, "k", "")).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("tokens");
        assertThatThrownBy(() -> service.consume(user, -5, "k", "")).isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> service.consume(user, 5, " ", "")).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("idempotencyKey");
        assertThatThrownBy(() -> service.consume(user, 5, "k".repeat(256), "")).isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> service.consume(user, 5, "k", "d".repeat(1001))).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("description");
        assertThatThrownBy(() -> service.consume(null, 5, "k", "")).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("userId");
        assertThatThrownBy(() -> UserId.of(" ")).isInstanceOf(InvalidRequestException.class).hasMessageContaining("blank");
        assertThatThrownBy(() -> UserId.of("u".repeat(256))).isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> service.grant(user, 5, " ", "g-x")).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("reason");
        assertThatThrownBy(() -> service.adjust(user, 0, "oops", "a-x")).isInstanceOf(InvalidRequestException.class);

        assertThat(service.balance(user).balance()).isEqualTo(1_000);
        assertThat(service.ledger(user, PageRequest.first(10)).items()).hasSize(1);
    }

    @Test
    void shouldGrantOncePerIdempotencyKey() {
        UserId user = newUser();
        LedgerReceipt first = service.grant(user, 500, "support gesture", "ticket-42");
        LedgerReceipt second = service.grant(user, 500, "support gesture", "ticket-42");

        assertThat(first.replayed()).isFalse();
        assertThat(second.replayed()).isTrue();
        assertThat(second.entry().id()).isEqualTo(first.entry().id());
        assertThat(service.balance(user).balance()).isEqualTo(500);
        assertThatThrownBy(() -> service.grant(user, 600, "support gesture", "ticket-42"))
                .isInstanceOf(IdempotencyConflictException.class);
    }

    @Test
    void shouldAdjustBothWaysButNeverBelowZero() {
        UserId user = newUser();
        service.adjust(user, 300, "migration from old system", "adj-1");
        service.adjust(user, -100, "correction", "adj-2");

        assertThatThrownBy(() -> service.adjust(user, -201, "too much", "adj-3"))
                .isInstanceOf(InsufficientTokensException.class);
        TokenBalance balance = service.balance(user);
        assertThat(balance.balance()).isEqualTo(200);
        assertThat(balance.totalAdjusted()).isEqualTo(200);
    }

    @Test
    void shouldPageLedgerNewestFirstWithStableCursor() {
        UserId user = newUser();
        service.grant(user, 100_000, "bonus", "g");
        for (int i = 1; i <= 25; i++) {
            service.consume(user, i, "req-" + i, "usage " + i);
        }

        List<LedgerEntry> all = new ArrayList<>();
        Page<LedgerEntry> page = service.ledger(user, PageRequest.first(10));
        all.addAll(page.items());
        while (page.nextCursor().isPresent()) {
            service.consume(user, 1, "late-" + all.size(), "arrives while paging");
            page = service.ledger(user, PageRequest.after(page.nextCursor().get(), 10));
            all.addAll(page.items());
        }

        assertThat(all).hasSize(26);
        assertThat(all).extracting(LedgerEntry::id).isSortedAccordingTo((a, b) -> Long.compare(b, a));
        assertThat(all.get(0).description()).isEqualTo("usage 25");
        assertThat(all.get(25).kind()).isEqualTo(LedgerEntryKind.GRANT);
        assertThatThrownBy(() -> service.ledger(user, PageRequest.after("not a cursor!", 10)))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("cursor");
    }

    @Test
    void shouldConsumeBatchWithPerItemResults() {
        UserId rich = newUser();
        UserId poor = newUser();
        service.grant(rich, 1_000, "bonus", "g");
        service.grant(poor, 10, "bonus", "g");
        service.consume(rich, 5, "seen-before", "");

        List<UsageResult> results = service.consumeBatch(List.of(
                new UsageRequest(rich, 100, "b-1", "one"),
                new UsageRequest(poor, 11, "b-2", "too much"),
                new UsageRequest(rich, 5, "seen-before", ""),
                new UsageRequest(rich, 0, "b-3", "invalid"),
                new UsageRequest(rich, 100, "b-1", "one"),
                new UsageRequest(poor, 10, "b-4", "exactly all"),
                new UsageRequest(rich, 7, "seen-before", "conflict")));

        assertThat(results).extracting(UsageResult::status).containsExactly(
                UsageResult.Status.DEBITED,
                UsageResult.Status.INSUFFICIENT_TOKENS,
                UsageResult.Status.REPLAYED,
                UsageResult.Status.REJECTED,
                UsageResult.Status.REPLAYED,
                UsageResult.Status.DEBITED,
                UsageResult.Status.REJECTED);
        assertThat(results.get(0).receipt().orElseThrow().balanceAfter()).isEqualTo(895);
        // The refusal reports what was available when the item ran: before the later "exactly all" item.
        assertThat(results.get(1).available()).isEqualTo(10);
        assertThat(results.get(3).error()).hasValueSatisfying(e -> assertThat(e).contains("tokens"));
        assertThat(results.get(4).receipt().map(r -> r.entry().id())).isEqualTo(results.get(0).receipt().map(r -> r.entry().id()));
        assertThat(service.balance(rich).balance()).isEqualTo(895);
        assertThat(service.balance(poor).balance()).isZero();
        assertThat(service.consumeBatch(List.of())).isEmpty();
    }

    @Test
    void shouldListBalancesByAmount() {
        UserId a = UserId.of("rank-a");
        UserId b = UserId.of("rank-b");
        service.grant(a, 1_000_000_000, "whale", "g");
        service.grant(b, 999_999_999, "almost whale", "g");

        assertThat(service.balances(2, false)).extracting(TokenBalance::userId).containsExactly(a, b);
        assertThat(service.balances(10, true)).isEmpty();
        assertThatThrownBy(() -> service.balances(0, false)).isInstanceOf(InvalidRequestException.class);
    }

    @Test
    void shouldKeepLedgerAppendOnly() throws Exception {
        UserId user = newUser();
        LedgerReceipt receipt = service.grant(user, 10, "bonus", "g");

        try (var connection = fixture.dataSource.getConnection(); var statement = connection.createStatement()) {
            assertThatThrownBy(() -> statement.executeUpdate("UPDATE " + fixture.schema + ".token_transaction SET amount = 1000 WHERE id = "
                    + receipt.entry().id())).hasMessageContaining("append-only");
            assertThatThrownBy(() -> statement.executeUpdate("DELETE FROM " + fixture.schema + ".token_transaction WHERE id = "
                    + receipt.entry().id())).hasMessageContaining("append-only");
        }
        assertThat(service.ledger(user, PageRequest.first(5)).items()).extracting(LedgerEntry::amount).containsExactly(10L);
    }

    @Test
    void shouldFindEntriesByIdempotencyKey() {
        UserId user = newUser();
        service.grant(user, 10, "bonus", "g-find");

        assertThat(fixture.billing.store().ledger().findByIdempotencyKey(user, "g-find")).isPresent();
        assertThat(fixture.billing.store().ledger().findByIdempotencyKey(user, "missing")).isEqualTo(Optional.empty());
    }
}
