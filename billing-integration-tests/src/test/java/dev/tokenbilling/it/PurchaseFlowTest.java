package dev.tokenbilling.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenbilling.error.BillingError;
import dev.tokenbilling.error.InactivePackageException;
import dev.tokenbilling.error.PackageNotSyncedException;
import dev.tokenbilling.error.PaymentProviderException;
import dev.tokenbilling.error.UnknownPackageException;
import dev.tokenbilling.error.UnknownPurchaseException;
import dev.tokenbilling.model.Money;
import dev.tokenbilling.model.PackageDefinition;
import dev.tokenbilling.model.Purchase;
import dev.tokenbilling.model.PurchaseIntent;
import dev.tokenbilling.model.PurchaseQuery;
import dev.tokenbilling.model.PurchaseStatus;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.service.CatalogService;
import dev.tokenbilling.testkit.stripe.FaultKind;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Stripe's test cards, end to end: buy, pay, webhook, balance. */
class PurchaseFlowTest {

    private static Shop shop;
    private static int users;

    @BeforeAll
    static void open() {
        shop = Shop.open(PurchaseFlowTest.class);
    }

    @AfterAll
    static void close() {
        shop.close();
    }

    @AfterEach
    void ledgerStaysSound() {
        shop.fixture.assertLedgerInvariants();
    }

    private static String newUser() {
        return "buyer-" + (++users);
    }

    private static PurchaseStatus status(PurchaseIntent intent) {
        return shop.purchase(intent).status();
    }

    @Test
    void shouldReturnTheSeedsPurchaseResponse() {
        PurchaseIntent intent = shop.buy(newUser(), "booster-500k");

        assertThat(intent.paymentIntentId()).startsWith("pi_");
        assertThat(intent.clientSecret()).startsWith(intent.paymentIntentId() + "_secret_");
        assertThat(intent.amountMajor()).isEqualByComparingTo("20.00");
        assertThat(intent.tokenAmount()).isEqualTo(500_000);
        var paymentIntent = shop.stripe.paymentIntent(intent.paymentIntentId());
        assertThat(paymentIntent.path("amount").asLong()).isEqualTo(2000);
        assertThat(paymentIntent.path("currency").asText()).isEqualTo("usd");
        assertThat(paymentIntent.path("metadata").path("purchase_id").asText())
                .isEqualTo(Long.toString(intent.purchaseId()));
        assertThat(paymentIntent.path("metadata").path("package_slug").asText()).isEqualTo("booster-500k");
        assertThat(paymentIntent.path("metadata").path("token_amount").asText()).isEqualTo("500000");
        assertThat(status(intent)).isEqualTo(PurchaseStatus.PENDING);
    }

    @Test
    void shouldCreditVisaPurchaseOnce() {
        String user = newUser();
        PurchaseIntent intent = shop.buy(user, "booster-500k");

        assertThat(shop.payWithCard(intent, "4242424242424242")).isEmpty();
        shop.settle();

        assertThat(shop.balance(user).balance()).isEqualTo(500_000);
        assertThat(shop.balance(user).totalPurchased()).isEqualTo(500_000);
        assertThat(status(intent)).isEqualTo(PurchaseStatus.COMPLETED);
    }

    @Test
    void shouldCreditMastercardPurchase() {
        String user = newUser();
        PurchaseIntent intent = shop.buy(user, "starter-100k");

        assertThat(shop.payWithCard(intent, "5555555555554444")).isEmpty();
        shop.settle();

        assertThat(shop.balance(user).balance()).isEqualTo(100_000);
    }

    @Test
    void shouldRecordGenericDeclineAndCreditNothing() {
        String user = newUser();
        PurchaseIntent intent = shop.buy(user, "power-1m");

        assertThat(shop.payWithCard(intent, "4000000000000002")).contains("generic_decline");
        shop.settle();

        Purchase purchase = shop.purchase(intent);
        assertThat(purchase.status()).isEqualTo(PurchaseStatus.FAILED);
        assertThat(purchase.failureCode()).contains("generic_decline");
        assertThat(shop.balance(user).balance()).isZero();
    }

    @Test
    void shouldRecordInsufficientFundsThenSucceedWithAnotherCard() {
        String user = newUser();
        PurchaseIntent intent = shop.buy(user, "starter-100k");

        assertThat(shop.payWithCard(intent, "4000000000009995")).contains("insufficient_funds");
        shop.settle();
        assertThat(shop.purchase(intent).failureCode()).contains("insufficient_funds");
        assertThat(shop.balance(user).balance()).isZero();

        assertThat(shop.pay(intent, "pm_card_visa")).isEmpty();
        shop.settle();
        assertThat(status(intent)).isEqualTo(PurchaseStatus.COMPLETED);
        assertThat(shop.balance(user).balance()).isEqualTo(100_000);
    }

    @Test
    void shouldCreditAfterThreeDSecureSucceeds() {
        String user = newUser();
        PurchaseIntent intent = shop.buy(user, "booster-500k");

        shop.payWithCard(intent, "4000002500003155");
        shop.settle();
        assertThat(status(intent)).isEqualTo(PurchaseStatus.REQUIRES_ACTION);
        assertThat(shop.balance(user).balance()).isZero();

        shop.stripe.authenticate(intent.paymentIntentId(), true);
        shop.settle();
        assertThat(status(intent)).isEqualTo(PurchaseStatus.COMPLETED);
        assertThat(shop.balance(user).balance()).isEqualTo(500_000);
    }

    @Test
    void shouldRecordFailedThreeDSecure() {
        String user = newUser();
        PurchaseIntent intent = shop.buy(user, "booster-500k");

        shop.payWithCard(intent, "4000002500003155");
        shop.stripe.authenticate(intent.paymentIntentId(), false);
        shop.settle();

        assertThat(status(intent)).isEqualTo(PurchaseStatus.FAILED);
        assertThat(shop.balance(user).balance()).isZero();
    }

    @Test
    void shouldRefuseUnknownInactiveAndUnsyncedPackages() {
        CatalogService catalog = shop.billing.service().catalog();
        catalog.savePackage(new PackageDefinition(
                "retired-1m", "Retired", "retired", 1_000_000, Money.of(3000, "USD"), "", false, 9));
        catalog.savePackage(
                new PackageDefinition("new-2m", "New", "new", 2_000_000, Money.of(6000, "USD"), "", true, 9));
        long before = shop.billing
                .service()
                .purchases()
                .query(PurchaseQuery.all(1000))
                .size();

        assertThatThrownBy(() -> shop.buy(newUser(), "nope")).isInstanceOf(UnknownPackageException.class);
        assertThatThrownBy(() -> shop.buy(newUser(), "retired-1m")).isInstanceOf(InactivePackageException.class);
        assertThatThrownBy(() -> shop.buy(newUser(), "new-2m"))
                .isInstanceOfSatisfying(PackageNotSyncedException.class, e -> {
                    assertThat(e.code()).isEqualTo(BillingError.PACKAGE_NOT_SYNCED);
                    assertThat(e.slug()).isEqualTo("new-2m");
                });

        assertThat(shop.billing.service().purchases().query(PurchaseQuery.all(1000)))
                .hasSize((int) before);
        catalog.syncToStripe(false);
    }

    @Test
    void shouldMarkPurchaseFailedWhenStripeFails() {
        for (FaultKind fault : new FaultKind[] {FaultKind.SERVER_ERROR, FaultKind.RATE_LIMIT, FaultKind.TIMEOUT}) {
            String user = newUser();
            shop.stripe.setTimeoutDelay(java.time.Duration.ofSeconds(4));
            shop.stripe.failNext("/v1/payment_intents", 1, fault);

            assertThatThrownBy(() -> shop.buy(user, "starter-100k"))
                    .as(fault.name())
                    .isInstanceOfSatisfying(
                            PaymentProviderException.class,
                            e -> assertThat(e.retryable()).isTrue())
                    .hasMessageNotContaining(shop.stripe.secretKey());

            Purchase failed = shop.billing
                    .service()
                    .purchases()
                    .query(PurchaseQuery.all(1).forUser(UserId.of(user)))
                    .get(0);
            assertThat(failed.status()).as(fault.name()).isEqualTo(PurchaseStatus.FAILED);
            assertThat(failed.failureCode())
                    .as(fault.name())
                    .hasValueSatisfying(code -> assertThat(code).startsWith("provider_"));
            assertThat(failed.failureMessage()).isPresent();
        }
    }

    @Test
    void shouldCancelPurchaseAndItsPaymentIntent() {
        String user = newUser();
        PurchaseIntent intent = shop.buy(user, "starter-100k");

        Purchase canceled = shop.billing.service().purchases().cancel(UserId.of(user), intent.purchaseId());

        assertThat(canceled.status()).isEqualTo(PurchaseStatus.CANCELED);
        assertThat(shop.stripe
                        .paymentIntent(intent.paymentIntentId())
                        .path("status")
                        .asText())
                .isEqualTo("canceled");
        assertThatThrownBy(
                        () -> shop.billing.service().purchases().cancel(UserId.of("someone-else"), intent.purchaseId()))
                .isInstanceOf(UnknownPurchaseException.class);
        assertThat(shop.billing.service().purchases().get(UserId.of(user), intent.purchaseId()))
                .isNotNull();
        assertThat(Optional.of(canceled.paymentIntentId())).isNotEmpty();
    }

    @Test
    void shouldCapOpenPurchasesPerUserAndAllowMoreOnceOneIsCanceled() {
        try (Shop capped = Shop.open(PurchaseFlowTest.class, builder -> builder.maxOpenPurchasesPerUser(2))) {
            PurchaseIntent first = capped.buy("looping-user", "starter-100k");
            capped.buy("looping-user", "starter-100k");
            int intentsBefore = capped.stripe.objects("payment_intent").size();

            assertThatThrownBy(() -> capped.buy("looping-user", "starter-100k"))
                    .isInstanceOfSatisfying(
                            dev.tokenbilling.error.BillingException.class,
                            e -> assertThat(e.code())
                                    .isEqualTo(dev.tokenbilling.error.BillingError.TOO_MANY_OPEN_PURCHASES));
            assertThat(capped.stripe.objects("payment_intent")).hasSize(intentsBefore);
            // Another user is not affected, and a canceled purchase frees a place.
            capped.buy("someone-else", "starter-100k");
            capped.billing
                    .service()
                    .purchases()
                    .cancel(dev.tokenbilling.model.UserId.of("looping-user"), first.purchaseId());
            capped.buy("looping-user", "starter-100k");
        }
    }
}
