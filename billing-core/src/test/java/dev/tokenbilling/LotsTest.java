package dev.tokenbilling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenbilling.error.IdempotencyConflictException;
import dev.tokenbilling.error.InsufficientTokensException;
import dev.tokenbilling.error.InvalidRequestException;
import dev.tokenbilling.error.ReservationNotActiveException;
import dev.tokenbilling.error.UnknownReservationException;
import dev.tokenbilling.model.Debit;
import dev.tokenbilling.model.ExpiryReport;
import dev.tokenbilling.model.Grant;
import dev.tokenbilling.model.IdempotencyKey;
import dev.tokenbilling.model.LedgerEntryKind;
import dev.tokenbilling.model.LotTerms;
import dev.tokenbilling.model.Money;
import dev.tokenbilling.model.PackageDefinition;
import dev.tokenbilling.model.PageRequest;
import dev.tokenbilling.model.Purchase;
import dev.tokenbilling.model.Reservation;
import dev.tokenbilling.model.ReservationRequest;
import dev.tokenbilling.model.ReservationStatus;
import dev.tokenbilling.model.TokenLot;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.service.TokenBillingService;
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
        service.ledger().grant(Grant.of(user, 100, IdempotencyKey.of("g-old"), "old, no expiry"));
        service.ledger()
                .grant(Grant.of(user, 100, IdempotencyKey.of("g-late"), "expires late")
                        .withTerms(LotTerms.expiringAt(in(Duration.ofDays(30)))));
        service.ledger()
                .grant(Grant.of(user, 100, IdempotencyKey.of("g-soon"), "expires soon")
                        .withTerms(LotTerms.expiringAt(in(Duration.ofDays(2)))));
        service.ledger()
                .grant(Grant.of(user, 100, IdempotencyKey.of("g-promo"), "promo first")
                        .withTerms(LotTerms.DEFAULT.withPriority(-1)));

        service.ledger().debit(Debit.of(user, 250, IdempotencyKey.of("use-1")).withDescription(""));

        assertThat(service.ledger().lots(user)).extracting(TokenLot::remaining).containsExactly(50L, 100L);
        assertThat(service.ledger().lots(user))
                .extracting(lot -> lot.expiresAt().isPresent())
                .containsExactly(true, false);
        assertThat(service.ledger().allLots(user)).hasSize(4);
        assertThat(service.ledger().balance(user).balance()).isEqualTo(150);
    }

    @Test
    void shouldExpireLapsedGrantExactlyOnceWithLedgerEntry() {
        UserId user = newUser();
        service.ledger()
                .grant(Grant.of(user, 1_000, IdempotencyKey.of("g-trial"), "trial")
                        .withTerms(LotTerms.expiringAt(in(Duration.ofDays(7)))));
        service.ledger().grant(Grant.of(user, 500, IdempotencyKey.of("g-forever"), "forever"));
        service.ledger().debit(Debit.of(user, 300, IdempotencyKey.of("use-1")).withDescription(""));

        CLOCK.advance(Duration.ofDays(8));
        ExpiryReport first = service.operations().expire(100);
        ExpiryReport second = service.operations().expire(100);

        assertThat(first.tokensExpired()).isGreaterThanOrEqualTo(700);
        assertThat(second.tokensExpired()).isZero();
        assertThat(service.ledger().balance(user).balance()).isEqualTo(500);
        assertThat(service.ledger().balance(user).totalExpired()).isEqualTo(700);
        assertThat(service.ledger()
                        .history(user, PageRequest.first(1))
                        .items()
                        .get(0)
                        .kind())
                .isEqualTo(LedgerEntryKind.EXPIRY);
        assertThat(service.ledger().allLots(user))
                .anySatisfy(lot -> assertThat(lot.closedReason()).contains("expired"));
    }

    @Test
    void shouldExpirePurchasedTokensOnlyWhenPackageHasValidity() {
        service.catalog()
                .savePackage(new PackageDefinition(
                        "trial-10k", "Trial", "trial", 10_000, Money.of(100, "USD"), "", true, 9, Optional.of(30)));
        UserId user = newUser();
        Purchase trial = fixture.pendingPurchase(user.value(), "trial-10k");
        Purchase starter = fixture.pendingPurchase(user.value(), "starter-100k");
        fixture.complete(trial);
        fixture.complete(starter);

        assertThat(service.ledger().lots(user))
                .extracting(lot -> lot.expiresAt()
                        .map(at -> Duration.between(CLOCK.instant(), at).toDays()))
                .containsExactly(Optional.of(30L), Optional.empty());
        CLOCK.advance(Duration.ofDays(31));
        service.operations().expire(100);

        assertThat(service.ledger().balance(user).balance()).isEqualTo(100_000);
    }

    @Test
    void shouldVoidWhatRemainsOfGrant() {
        UserId user = newUser();
        service.ledger().grant(Grant.of(user, 400, IdempotencyKey.of("g-1"), "goodwill"));
        service.ledger().debit(Debit.of(user, 150, IdempotencyKey.of("use-1")).withDescription(""));
        TokenLot lot = service.ledger().lots(user).get(0);

        assertThat(service.ledger()
                        .voidGrant(user, lot.id(), "granted by mistake")
                        .tokensVoided())
                .isEqualTo(250);
        assertThat(service.ledger().voidGrant(user, lot.id(), "again").tokensVoided())
                .isZero();

        assertThat(service.ledger().balance(user).balance()).isZero();
        assertThat(service.ledger()
                        .history(user, PageRequest.first(1))
                        .items()
                        .get(0)
                        .kind())
                .isEqualTo(LedgerEntryKind.VOID);
        assertThatThrownBy(() -> service.ledger()
                        .voidGrant(UserId.of("someone-else"), lot.id(), "x")
                        .tokensVoided())
                .isInstanceOf(InvalidRequestException.class);
    }

    @Test
    void shouldRefuseToVoidPurchasedTokens() {
        UserId user = newUser();
        fixture.complete(fixture.pendingPurchase(user.value(), "starter-100k"));

        assertThatThrownBy(() -> service.ledger()
                        .voidGrant(user, service.ledger().lots(user).get(0).id(), "nope")
                        .tokensVoided())
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("only grants");
    }

    @Test
    void shouldHoldThenSettleRealCountAndReleaseTheRest() {
        UserId user = newUser();
        service.ledger().grant(Grant.of(user, 10_000, IdempotencyKey.of("g"), "bonus"));

        Reservation hold = service.reservations()
                .reserve(ReservationRequest.of(user, 4_000, Duration.ofMinutes(5), IdempotencyKey.of("req-1"))
                        .withDescription("streaming completion"));
        assertThat(service.ledger().balance(user).available()).isEqualTo(6_000);
        assertThat(service.ledger().balance(user).balance()).isEqualTo(10_000);
        assertThat(service.ledger().history(user, PageRequest.first(10)).items())
                .hasSize(1);
        assertThatThrownBy(() -> service.ledger()
                        .debit(Debit.of(user, 6_001, IdempotencyKey.of("too-much"))
                                .withDescription("")))
                .isInstanceOf(InsufficientTokensException.class);

        Reservation settled =
                service.reservations().settle(hold.userId(), hold.id(), 1_234).reservation();

        assertThat(settled.status()).isEqualTo(ReservationStatus.SETTLED);
        assertThat(settled.settledTokens()).contains(1_234L);
        assertThat(service.ledger().balance(user).balance()).isEqualTo(8_766);
        assertThat(service.ledger().balance(user).available()).isEqualTo(8_766);
        assertThat(service.ledger()
                        .history(user, PageRequest.first(1))
                        .items()
                        .get(0)
                        .description())
                .isEqualTo("streaming completion");
        assertThatThrownBy(() -> service.reservations()
                        .settle(hold.userId(), hold.id(), 1_234)
                        .reservation())
                .isInstanceOf(ReservationNotActiveException.class)
                .hasMessageContaining("settled");
        assertThatThrownBy(() -> service.reservations().release(hold.userId(), hold.id()))
                .isInstanceOf(ReservationNotActiveException.class);
    }

    @Test
    void shouldLetExactlyOneOfRacingSettlementsEndTheHold() throws Exception {
        UserId user = newUser();
        service.ledger().grant(Grant.of(user, 10_000, IdempotencyKey.of("g"), "bonus"));
        Reservation hold = service.reservations()
                .reserve(ReservationRequest.of(user, 1_000, Duration.ofMinutes(5), IdempotencyKey.of("req-race")));
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            java.util.List<java.util.concurrent.Callable<Boolean>> racers = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) {
                racers.add(() -> {
                    try {
                        service.reservations()
                                .settle(hold.userId(), hold.id(), 700)
                                .reservation();
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
        assertThat(service.ledger().balance(user).balance()).isEqualTo(9_300);
        assertThat(service.ledger().balance(user).reserved()).isZero();
    }

    @Test
    void shouldReserveOncePerKeyAndRefuseBeyondAvailable() {
        UserId user = newUser();
        service.ledger().grant(Grant.of(user, 1_000, IdempotencyKey.of("g"), "bonus"));

        Reservation first = service.reservations()
                .reserve(ReservationRequest.of(user, 600, Duration.ofMinutes(1), IdempotencyKey.of("req-1")));
        Reservation again = service.reservations()
                .reserve(ReservationRequest.of(user, 600, Duration.ofMinutes(1), IdempotencyKey.of("req-1")));

        assertThat(again.id()).isEqualTo(first.id());
        assertThat(service.ledger().balance(user).reserved()).isEqualTo(600);
        assertThatThrownBy(() -> service.reservations()
                        .reserve(ReservationRequest.of(user, 401, Duration.ofMinutes(1), IdempotencyKey.of("req-2"))))
                .isInstanceOfSatisfying(
                        InsufficientTokensException.class,
                        e -> assertThat(e.available()).isEqualTo(400));
        assertThatThrownBy(() -> service.reservations()
                        .reserve(ReservationRequest.of(user, 700, Duration.ofMinutes(1), IdempotencyKey.of("req-1"))))
                .isInstanceOf(IdempotencyConflictException.class);
        assertThatThrownBy(() -> service.reservations()
                        .settle(first.userId(), first.id(), 601)
                        .reservation())
                .isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> service.reservations()
                        .reserve(ReservationRequest.of(user, 1, Duration.ZERO, IdempotencyKey.of("req-3"))))
                .isInstanceOf(InvalidRequestException.class);
        assertThatThrownBy(() -> service.reservations().settle(user, 999_999, 1))
                .isInstanceOf(UnknownReservationException.class);

        service.reservations().release(first.userId(), first.id());
        assertThat(service.ledger().balance(user).available()).isEqualTo(1_000);
        assertThat(service.reservations().active(user)).isEmpty();
    }

    @Test
    void shouldReleaseLapsedHoldsAndRefuseLateSettlement() {
        UserId user = newUser();
        service.ledger().grant(Grant.of(user, 1_000, IdempotencyKey.of("g"), "bonus"));
        Reservation hold = service.reservations()
                .reserve(ReservationRequest.of(user, 800, Duration.ofMinutes(2), IdempotencyKey.of("req-1")));

        CLOCK.advance(Duration.ofMinutes(3));

        assertThatThrownBy(() -> service.reservations()
                        .settle(hold.userId(), hold.id(), 100)
                        .reservation())
                .isInstanceOfSatisfying(
                        ReservationNotActiveException.class,
                        e -> assertThat(e.status()).isEqualTo(ReservationStatus.EXPIRED.wireName()));
        assertThat(service.ledger().balance(user).available()).isEqualTo(1_000);
        assertThat(service.ledger().balance(user).balance()).isEqualTo(1_000);

        Reservation other = service.reservations()
                .reserve(ReservationRequest.of(user, 500, Duration.ofMinutes(2), IdempotencyKey.of("req-2")));
        CLOCK.advance(Duration.ofMinutes(3));
        assertThat(service.operations().expire(10).reservationsReleased()).isEqualTo(1);
        assertThat(service.reservations().get(other.userId(), other.id()).status())
                .isEqualTo(ReservationStatus.EXPIRED);
        assertThat(service.ledger().balance(user).reserved()).isZero();
    }

    @Test
    void shouldNeverExpireOrVoidHeldTokens() {
        UserId user = newUser();
        service.ledger()
                .grant(Grant.of(user, 1_000, IdempotencyKey.of("g-trial"), "trial")
                        .withTerms(LotTerms.expiringAt(in(Duration.ofHours(1)))));
        Reservation hold = service.reservations()
                .reserve(ReservationRequest.of(user, 600, Duration.ofHours(3), IdempotencyKey.of("req-1")));

        CLOCK.advance(Duration.ofHours(2));
        service.operations().expire(100);

        assertThat(service.ledger().balance(user).balance()).isEqualTo(600);
        assertThat(service.ledger().balance(user).available()).isZero();
        service.reservations().settle(hold.userId(), hold.id(), 600).reservation();
        assertThat(service.ledger().balance(user).balance()).isZero();
    }

    @Test
    void shouldPayDebtFromNextCredit() {
        UserId user = newUser();
        Purchase purchase = fixture.pendingPurchase(user.value(), "starter-100k");
        fixture.complete(purchase);
        service.ledger().debit(Debit.of(user, 100_000, IdempotencyKey.of("all")).withDescription(""));
        // A dispute takes the spent tokens back: the balance goes negative and the user owes 100,000.
        fixture.billing
                .store()
                .inTransaction(tx -> fixture.transitions.applyDispute(
                        tx,
                        purchase.id(),
                        "dp_lots",
                        "needs_response",
                        purchase.amount().minorUnits(),
                        new dev.tokenbilling.internal.AfterCommit()));
        assertThat(service.ledger().balance(user).debt()).isEqualTo(100_000);

        service.ledger().grant(Grant.of(user, 150_000, IdempotencyKey.of("g"), "goodwill"));

        assertThat(service.ledger().balance(user).balance()).isEqualTo(50_000);
        assertThat(service.ledger().balance(user).debt()).isZero();
        assertThat(service.ledger().lots(user)).extracting(TokenLot::remaining).containsExactly(50_000L);
    }

    @Test
    void shouldKeepTheValidityThePackageHadWhenThePurchaseStarted() {
        UserId user = newUser();
        dev.tokenbilling.model.PackageDefinition weekly = new dev.tokenbilling.model.PackageDefinition(
                "weekly-10k",
                "Weekly",
                "weekly",
                10_000,
                dev.tokenbilling.model.Money.of(100, "USD"),
                "",
                true,
                20,
                java.util.Optional.of(7));
        service.catalog().savePackage(weekly);
        Purchase purchase = fixture.pendingPurchase(user.value(), "weekly-10k");
        // The package changes while the payment is under way: the buyer keeps the terms they saw.
        service.catalog()
                .savePackage(new dev.tokenbilling.model.PackageDefinition(
                        "weekly-10k",
                        "Weekly",
                        "weekly",
                        10_000,
                        dev.tokenbilling.model.Money.of(100, "USD"),
                        "",
                        true,
                        20,
                        java.util.Optional.of(365)));

        fixture.complete(purchase);

        assertThat(service.ledger().lots(user))
                .singleElement()
                .satisfies(lot ->
                        assertThat(lot.expiresAt()).contains(CLOCK.instant().plus(Duration.ofDays(7))));
    }
}
