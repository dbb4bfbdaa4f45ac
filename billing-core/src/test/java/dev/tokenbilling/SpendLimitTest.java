package dev.tokenbilling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenbilling.error.InsufficientTokensException;
import dev.tokenbilling.error.SpendLimitException;
import dev.tokenbilling.model.Debit;
import dev.tokenbilling.model.Grant;
import dev.tokenbilling.model.IdempotencyKey;
import dev.tokenbilling.model.Reservation;
import dev.tokenbilling.model.ReservationRequest;
import dev.tokenbilling.model.SpendLimit;
import dev.tokenbilling.model.UsageResult;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.support.BillingFixture;
import dev.tokenbilling.support.MutableClock;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Monthly usage limits: checked in the debit's own statement, named when they refuse, reset each month. */
class SpendLimitTest {

    private static final Instant MID_JANUARY = Instant.parse("2027-01-15T12:00:00Z");
    private static final AtomicInteger USERS = new AtomicInteger();

    private static MutableClock clock;
    private static BillingFixture fixture;

    @BeforeAll
    static void setUp() {
        clock = new MutableClock(MID_JANUARY);
        fixture = BillingFixture.create(SpendLimitTest.class, builder -> builder.clock(clock));
    }

    @AfterEach
    void soundAndBackInJanuary() {
        fixture.assertLedgerInvariants();
        clock.advance(Duration.between(clock.instant(), MID_JANUARY));
    }

    private static UserId funded(long tokens) {
        UserId user = UserId.of("limited-" + USERS.incrementAndGet());
        fixture.service.ledger().grant(Grant.of(user, tokens, IdempotencyKey.of("fund"), "test"));
        return user;
    }

    private static void debit(UserId user, long tokens, String key) {
        fixture.service.ledger().debit(Debit.of(user, tokens, IdempotencyKey.of(key)));
    }

    @Test
    void shouldRefuseUsagePastTheLimitNamingItAndWhenItResets() {
        UserId user = funded(50_000);
        debit(user, 3_000, "before-the-limit");
        fixture.service.ledger().setSpendLimit(user, 10_000);
        assertThat(fixture.service.ledger().spendLimit(user))
                .contains(new SpendLimit(10_000, 3_000, Instant.parse("2027-02-01T00:00:00Z")));

        debit(user, 6_000, "within");
        assertThatThrownBy(() -> debit(user, 2_000, "past")).isInstanceOfSatisfying(SpendLimitException.class, e -> {
            assertThat(e.limit()).isEqualTo(10_000);
            assertThat(e.usedThisMonth()).isEqualTo(9_000);
            assertThat(e.resetsAt()).isEqualTo(Instant.parse("2027-02-01T00:00:00Z"));
            assertThat(e.getMessage()).contains("10000 tokens per month").contains("2027-02-01T00:00:00Z");
        });
        debit(user, 1_000, "exactly-up-to-it");
        assertThat(fixture.service.ledger().balance(user).balance()).isEqualTo(40_000);

        // Not enough tokens is still that, whatever the limit.
        UserId poor = funded(100);
        fixture.service.ledger().setSpendLimit(poor, 50);
        assertThatThrownBy(() -> debit(poor, 200, "too-much")).isInstanceOf(InsufficientTokensException.class);

        // A new month, a new count.
        clock.advance(Duration.ofDays(20));
        debit(user, 10_000, "february");
        assertThat(fixture.service.ledger().spendLimit(user).orElseThrow().usedThisMonth())
                .isEqualTo(10_000);

        fixture.service.ledger().clearSpendLimit(user);
        assertThat(fixture.service.ledger().spendLimit(user)).isEmpty();
        debit(user, 5_000, "unlimited");
    }

    @Test
    void shouldKeepTheLimitItemByItemInABatch() {
        UserId user = funded(50_000);
        fixture.service.ledger().setSpendLimit(user, 10_000);
        List<UsageResult> results = fixture.service
                .ledger()
                .debitAll(List.of(
                        Debit.of(user, 4_000, IdempotencyKey.of("b1")),
                        Debit.of(user, 4_000, IdempotencyKey.of("b2")),
                        Debit.of(user, 4_000, IdempotencyKey.of("b3")),
                        Debit.of(user, 2_000, IdempotencyKey.of("b4"))));
        assertThat(results)
                .extracting(UsageResult::status)
                .containsExactly(
                        UsageResult.Status.DEBITED,
                        UsageResult.Status.DEBITED,
                        UsageResult.Status.SPEND_LIMIT_REACHED,
                        UsageResult.Status.DEBITED);
        assertThat(results.get(2).error())
                .hasValueSatisfying(error -> assertThat(error).contains("10000"));
        assertThat(fixture.service.ledger().spendLimit(user).orElseThrow().usedThisMonth())
                .isEqualTo(10_000);
    }

    @Test
    void shouldNeverRefuseASettlementButCountIt() {
        UserId user = funded(50_000);
        fixture.service.ledger().setSpendLimit(user, 10_000);
        Reservation hold = fixture.service
                .reservations()
                .reserve(ReservationRequest.of(user, 8_000, Duration.ofMinutes(5), IdempotencyKey.of("hold")));
        debit(user, 7_000, "meanwhile");
        fixture.service.reservations().settle(user, hold.id(), 8_000);
        assertThat(fixture.service.ledger().spendLimit(user).orElseThrow().usedThisMonth())
                .isEqualTo(15_000);
        assertThatThrownBy(() -> debit(user, 1, "over")).isInstanceOf(SpendLimitException.class);
    }

    @Test
    void shouldRefuseAHoldPastTheLimitCountingWhatIsHeldSoThatMeteredUsageNeverPassesIt() {
        UserId user = funded(50_000);
        debit(user, 3_000, "used");
        fixture.service.ledger().setSpendLimit(user, 10_000);
        Reservation stream = hold(user, 5_000, "stream-1");

        assertThatThrownBy(() -> hold(user, 2_001, "stream-2")).isInstanceOfSatisfying(SpendLimitException.class, e -> {
            assertThat(e.limit()).isEqualTo(10_000);
            assertThat(e.usedThisMonth()).isEqualTo(3_000);
            assertThat(e.held()).isEqualTo(5_000);
            assertThat(e.resetsAt()).isEqualTo(Instant.parse("2027-02-01T00:00:00Z"));
            assertThat(e.getMessage())
                    .contains("10000 tokens per month")
                    .contains("holds 5000")
                    .contains("2027-02-01T00:00:00Z");
        });
        Reservation upToTheLimit = hold(user, 2_000, "stream-2");
        fixture.service.reservations().settle(user, stream.id(), 5_000);
        fixture.service.reservations().settle(user, upToTheLimit.id(), 2_000);
        assertThat(fixture.service.ledger().spendLimit(user).orElseThrow().usedThisMonth())
                .isEqualTo(10_000);
        assertThatThrownBy(() -> hold(user, 1, "stream-3")).isInstanceOf(SpendLimitException.class);
        assertThat(fixture.service.ledger().balance(user).reserved()).isZero();

        // Not enough tokens is still that, whatever the limit.
        UserId poor = funded(100);
        fixture.service.ledger().setSpendLimit(poor, 50);
        assertThatThrownBy(() -> hold(poor, 200, "too-much")).isInstanceOf(InsufficientTokensException.class);

        // A new month, a new count.
        clock.advance(Duration.ofDays(20));
        assertThat(hold(user, 10_000, "stream-3").amount()).isEqualTo(10_000);
    }

    @Test
    void shouldKeepTheHoldFunctionOfEarlierVersions() throws Exception {
        // Earlier versions of the library call reservation_reserve with six arguments: that form
        // still holds whatever the limit, as it did before V12.
        UserId user = funded(1_000);
        fixture.service.ledger().setSpendLimit(user, 100);
        try (Connection connection = fixture.dataSource.getConnection();
                var reserve = connection.prepareStatement("SELECT r_outcome FROM " + fixture.schema
                        + ".reservation_reserve(?, 500, 'old-client', '', now() + interval '5 minutes', now())")) {
            reserve.setString(1, user.value());
            try (var rows = reserve.executeQuery()) {
                assertThat(rows.next()).isTrue();
                assertThat(rows.getString(1)).isEqualTo("reserved");
            }
        }
        assertThat(fixture.service.ledger().balance(user).reserved()).isEqualTo(500);
    }

    private static Reservation hold(UserId user, long tokens, String key) {
        return fixture.service
                .reservations()
                .reserve(ReservationRequest.of(user, tokens, Duration.ofMinutes(5), IdempotencyKey.of(key)));
    }
}
