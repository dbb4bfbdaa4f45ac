package dev.tokenbilling;

import dev.tokenbilling.error.IdempotencyConflictException;
import dev.tokenbilling.error.InsufficientTokensException;
import dev.tokenbilling.error.InvalidRequestException;
import dev.tokenbilling.error.ReservationNotActiveException;
import dev.tokenbilling.error.UnknownReservationException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenbilling.model.ExpiryReport;
import dev.tokenbilling.model.LedgerEntryKind;
import dev.tokenbilling.model.LotTerms;
import dev.tokenbilling.model.Money;
import dev.tokenbilling.model.PackageDefinition;
import dev.tokenbilling.model.PageRequest;
import dev.tokenbilling.model.Purchase;
import dev.tokenbilling.model.Reservation;
import dev.tokenbilling.model.ReservationStatus;
import dev.tokenbilling.model.TokenLot;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.support.BillingFixture;
import dev.tokenbilling.support.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class LotsTest {

    private static final MutableClock CLOCK = new MutableClock(Instant.parse("2026-06-01T12:00:00Z"));
    private static BillingFixture fixture;
    private static TokenBillingService service;
    private static int users;

    @BeforeAll
    static void setUp() {
        fixture = BillingFixture.create(LotsTest.class, CLOCK);
        service = fixture.service;
        fixture.seed();
    }

    @AfterEach
    void ledgerStaysSound() {
        fixture.assertLedgerInvariants();
    }

    private static UserId newUser() {
        return UserId.of("lots-" + (++users));
    }

    private static Instant in(Duration duration) {
        return CLOCK.instant().plus(duration);
    }

    @Test
    void shouldDrawByPriorityThenSoonestExpiryThenAge() {
        UserId user = newUser();
        service.grant(user, 100, "old, no expiry", "g-old");
        service.grant(user, 100, "expires late", "g-late", LotTerms.expiringAt(in(Duration.ofDays(30))));
        service.grant(user, 100, "expires soon", "g-soon", LotTerms.expiringAt(in(Duration.ofDays(2))));
        service.grant(user, 100, "promo first", "g-promo", LotTerms.DEFAULT.withPriority(-1));

        service.consume(user, 250, "use-1", "");

        assertThat(service.lots(user)).extracting(TokenLot::remaining).containsExactly(50L, 100L);
        assertThat(service.lots(user)).extracting(lot -> lot.expiresAt().isPresent()).containsExactly(true, false);
        assertThat(service.allLots(user)).hasSize(4);
        assertThat(service.balance(user).balance()).isEqualTo(150);
    }

    @Test
    void shouldExpireLapsedGrantExactlyOnceWithLedgerEntry() {
        UserId user = newUser();
        service.grant(user, 1_000, "trial", "g-trial", LotTerms.expiringAt(in(Duration.ofDays(7))));
        service.grant(user, 500, "forever", "g-forever");
        service.consume(user, 300, "use-1", "");

        CLOCK.advance(Duration.ofDays(8));
        ExpiryReport first = service.expire(100);
        ExpiryReport second = service.expire(100);

        assertThat(first.tokensExpired()).isGreaterThanOrEqualTo(700);
        assertThat(second.tokensExpired()).isZero();
        assertThat(service.balance(user).balance()).isEqualTo(500);
        assertThat(service.balance(user).totalExpired()).isEqualTo(700);
        assertThat(service.ledger(user, PageRequest.first(1)).items().get(0).kind()).isEqualTo(LedgerEntryKind.EXPIRY);
        assertThat(service.allLots(user)).anySatisfy(lot -> assertThat(lot.closedReason()).contains("expired"));
    }

    @Test
    void shouldExpirePurchasedTokensOnlyWhenPackageHasValidity() {
        service.savePackage(new PackageDefinition("trial-10k", "Trial", "trial", 10_000, Money.of(100, "USD"), "", true, 9,
                Optional.of(30)));
        UserId user = newUser();
        Purchase trial = fixture.pendingPurchase(user.value(), "trial-10k");
        Purchase starter = fixture.pendingPurchase(user.value(), "starter-100k");
        fixture.complete(trial);
        fixture.complete(starter);

        assertThat(service.lots(user)).extracting(lot -> lot.expiresAt().map(at -> Duration.between(CLOCK.instant(), at).toDays()))
                .containsExactly(Optional.of(30L), Optional.empty());
        CLOCK.advance(Duration.ofDays(31));
        service.expire(100);

        assertThat(service.balance(user).balance()).isEqualTo(100_000);
    }

    @Test
    void shouldVoidWhatRemainsOfGrant() {
        UserId user = newUser();
        service.grant(user, 400, "goodwill", "g-1");
        service.consume(user, 150, "use-1", "");
        TokenLot lot = service.lots(user).get(0);

        assertThat(service.voidGrant(user, lot.id(), "granted by mistake")).isEqualTo(250);
        assertThat(service.voidGrant(user, lot.id(), "again")).isZero();

        assertThat(service.balance(user).balance()).isZero();
        assertThat(service.ledger(user, PageRequest.first(1)).items().get(0).kind()).isEqualTo(LedgerEntryKind.VOID);
        assertThatThrownBy(() -> service.voidGrant(UserId.of("someone-else"), lot.id(), "x")).isInstanceOf(InvalidRequestException.class);
    }

    @Test
    void shouldRefuseToVoidPurchasedTokens() {
        UserId user = newUser();
        fixture.complete(fixture.pendingPurchase(user.value(), "starter-100k"));

        assertThatThrownBy(() -> service.voidGrant(user, service.lots(user).get(0).id(), "nope"))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("only grants");
    }

    @Test
    void shouldHoldThenSettleRealCountAndReleaseTheRest() {
        UserId user = newUser();
        service.grant(user, 10_000, "bonus", "g");

        Reservation hold = service.reserve(user, 4_000, Duration.ofMinutes(5), "req-1", "streaming completion");
        assertThat(service.balance(user).available()).isEqualTo(6_000);
        assertThat(service.balance(user).balance()).isEqualTo(10_000);
        assertThat(service.ledger(user, PageRequest.first(10)).items()).hasSize(1);
        assertThatThrownBy(() -> service.consume(user, 6_001, "too-much", "")).isInstanceOf(InsufficientTokensException.class);

        Reservation settled = service.settle(hold.id(), 1_234);

        assertThat(settled.status()).isEqualTo(ReservationStatus.SETTLED);
        assertThat(settled.settledTokens()).contains(1_234L);
        assertThat(service.balance(user).balance()).isEqualTo(8_766);
        assertThat(service.balance(user).available()).isEqualTo(8_766);
        assertThat(service.ledger(user, PageRequest.first(1)).items().get(0).description()).isEqualTo("streaming completion");
        assertThatThrownBy(() -> service.settle(hold.id(), 1_234)).isInstanceOf(ReservationNotActiveException.class)
                .hasMessageContaining("settled");
        assertThatThrownBy(() -> service.release(hold.id())).isInstanceOf(ReservationNotActiveException.class);
    }

    @Test
    void shouldLetExactlyOneOfRacingSettlementsEndTheHold() throws Exception {
        UserId user = newUser();
        service.grant(user, 10_000, "bonus", "g");
        Reservation hold = service.reserve(user, 1_000, Duration.ofMinutes(5), "req-race");
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            java.util.List<java.util.concurrent.Callable<Boolean>> racers = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) {
                racers.add(() -> {
                    try {
                        service.settle(hold.id(), 700);
                        return true;
                    } catch (ReservationNotActiveException e) {
                        return false;
                    }
                });
            }
            long winners = 0;
            for (java.util.concurrent.Future<Boolean> result : pool.invokeAll(racers)) {
                winners += result.get() ? 1 : 0;
            }
            assertThat(winners).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
        assertThat(service.balance(user).balance()).isEqualTo(9_300);
        assertThat(service.balance(user).reserved()).isZero();
    }

    @Test
    void shouldReserveOncePerKeyAndRefuseBeyondAvailable() {
        UserId user = newUser();
        service.grant(user, 1_000, "bonus", "g");

        Reservation first = service.reserve(user, 600, Duration.ofMinutes(1), "req-1");
        Reservation again = service.reserve(user, 600, Duration.ofMinutes(1), "req-1");

        assertThat(again.id()).isEqualTo(first.id());
        assertThat(service.balance(user).reserved()).isEqualTo(600);
        assertThatThrownBy(() -> service.reserve(user, 401, Duration.ofMinutes(1), "req-2"))
                .isInstanceOfSatisfying(InsufficientTokensException.class, e -> assertThat(e.available()).isEqualTo(400));
        assertThatThrownBy(() -> service.reserve(user, 700, Duration.ofMinutes(1), "req-1")).isInstanceOf(IdempotencyConflictException.class);
        assertThatThrownBy(() -> service.settle(first.id(), 601)).isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> service.reserve(user, 1, Duration.ZERO, "req-3")).isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> service.settle(999_999, 1)).isInstanceOf(UnknownReservationException.class);

        service.release(first.id());
        assertThat(service.balance(user).available()).isEqualTo(1_000);
        assertThat(service.reservations(user)).isEmpty();
    }

    @Test
    void shouldReleaseLapsedHoldsAndRefuseLateSettlement() {
        UserId user = newUser();
        service.grant(user, 1_000, "bonus", "g");
        Reservation hold = service.reserve(user, 800, Duration.ofMinutes(2), "req-1");

        CLOCK.advance(Duration.ofMinutes(3));

        assertThatThrownBy(() -> service.settle(hold.id(), 100)).isInstanceOfSatisfying(ReservationNotActiveException.class,
                e -> assertThat(e.status()).isEqualTo(ReservationStatus.EXPIRED));
        assertThat(service.balance(user).available()).isEqualTo(1_000);
        assertThat(service.balance(user).balance()).isEqualTo(1_000);

        Reservation other = service.reserve(user, 500, Duration.ofMinutes(2), "req-2");
        CLOCK.advance(Duration.ofMinutes(3));
        assertThat(service.expire(10).reservationsReleased()).isEqualTo(1);
        assertThat(service.reservation(other.id()).status()).isEqualTo(ReservationStatus.EXPIRED);
        assertThat(service.balance(user).reserved()).isZero();
    }

    @Test
    void shouldNeverExpireOrVoidHeldTokens() {
        UserId user = newUser();
        service.grant(user, 1_000, "trial", "g-trial", LotTerms.expiringAt(in(Duration.ofHours(1))));
        Reservation hold = service.reserve(user, 600, Duration.ofHours(3), "req-1");

        CLOCK.advance(Duration.ofHours(2));
        service.expire(100);

        assertThat(service.balance(user).balance()).isEqualTo(600);
        assertThat(service.balance(user).available()).isZero();
        service.settle(hold.id(), 600);
        assertThat(service.balance(user).balance()).isZero();
    }

    @Test
    void shouldPayDebtFromNextCredit() {
        UserId user = newUser();
        Purchase purchase = fixture.pendingPurchase(user.value(), "starter-100k");
        fixture.complete(purchase);
        service.consume(user, 100_000, "all", "");
        // A dispute takes the spent tokens back: the balance goes negative and the user owes 100,000.
        fixture.billing.store().inTransaction(tx -> fixture.transitions.applyDisputeOpened(tx, purchase.id(), "dp_lots", new dev.tokenbilling.internal.AfterCommit()));
        assertThat(service.balance(user).debt()).isEqualTo(100_000);

        service.grant(user, 150_000, "goodwill", "g");

        assertThat(service.balance(user).balance()).isEqualTo(50_000);
        assertThat(service.balance(user).debt()).isZero();
        assertThat(service.lots(user)).extracting(TokenLot::remaining).containsExactly(50_000L);
    }
}
