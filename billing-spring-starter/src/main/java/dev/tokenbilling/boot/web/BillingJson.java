package dev.tokenbilling.boot.web;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.tokenbilling.model.LedgerEntry;
import dev.tokenbilling.model.Page;
import dev.tokenbilling.model.Purchase;
import dev.tokenbilling.model.PurchaseIntent;
import dev.tokenbilling.model.TokenBalance;
import dev.tokenbilling.model.TokenPackage;
import dev.tokenbilling.webhook.WebhookOutcome;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * The JSON bodies of the REST API, exactly as the seed's frontend expects them: the package list
 * and balance in camelCase, the purchase request and response in snake_case. Every name is fixed
 * with {@code @JsonProperty}, so an application-wide naming strategy or inclusion rule cannot change
 * the contract. Money is a decimal in major units (the package {@code price} a string, the purchase
 * {@code amount} a number, as in the seed); times are ISO-8601 strings in UTC. Hosts that write their
 * own controllers can reuse these records to answer the same shapes.
 */
public final class BillingJson {

    private BillingJson() {
    }

    /** One entry of {@code GET /packages/}. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record PackageView(
            @JsonProperty("id") long id,
            @JsonProperty("slug") String slug,
            @JsonProperty("name") String name,
            @JsonProperty("packageType") String packageType,
            @JsonProperty("tokenAmount") long tokenAmount,
            @JsonProperty("price") String price,
            @JsonProperty("currency") String currency,
            @JsonProperty("pricePerMillionTokens") String pricePerMillionTokens,
            @JsonProperty("description") String description,
            @JsonProperty("isActive") boolean isActive,
            @JsonProperty("stripePriceId") String stripePriceId) {

        public static PackageView of(TokenPackage pack) {
            return new PackageView(pack.id(), pack.slug(), pack.name(), pack.packageType(), pack.tokenAmount(),
                    pack.price().majorUnits().toPlainString(), pack.price().currency().getCurrencyCode(),
                    pack.pricePerMillionTokens().toPlainString(), pack.description(), pack.active(), pack.stripePriceId().orElse(null));
        }
    }

    /** The body of {@code POST /tokens/purchase/}: {@code {"package_slug": "booster-500k"}}; {@code packageSlug} is accepted too. */
    public record PurchaseRequest(@JsonProperty("package_slug") @JsonAlias("packageSlug") String packageSlug) {
    }

    /** The answer of {@code POST /tokens/purchase/}: what Stripe.js needs to confirm the payment. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record PurchaseStarted(
            @JsonProperty("payment_intent_id") String paymentIntentId,
            @JsonProperty("client_secret") String clientSecret,
            @JsonProperty("amount") BigDecimal amount,
            @JsonProperty("currency") String currency,
            @JsonProperty("token_amount") long tokenAmount,
            @JsonProperty("purchase_id") long purchaseId) {

        public static PurchaseStarted of(PurchaseIntent intent) {
            return new PurchaseStarted(intent.paymentIntentId(), intent.clientSecret(), intent.amountMajor(),
                    intent.amount().currency().getCurrencyCode(), intent.tokenAmount(), intent.purchaseId());
        }

        @Override
        public String toString() {
            return "PurchaseStarted[purchaseId=" + purchaseId + ", paymentIntentId=" + paymentIntentId + "]";
        }
    }

    /** The answer of {@code GET /tokens/balance/}. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record BalanceView(
            @JsonProperty("balance") long balance,
            @JsonProperty("available") long available,
            @JsonProperty("reserved") long reserved,
            @JsonProperty("totalPurchased") long totalPurchased,
            @JsonProperty("totalGranted") long totalGranted,
            @JsonProperty("totalUsed") long totalUsed,
            @JsonProperty("totalReversed") long totalReversed,
            @JsonProperty("totalAdjusted") long totalAdjusted,
            @JsonProperty("totalExpired") long totalExpired,
            @JsonProperty("updatedAt") String updatedAt) {

        public static BalanceView of(TokenBalance balance) {
            return new BalanceView(balance.balance(), balance.available(), balance.reserved(), balance.totalPurchased(),
                    balance.totalGranted(), balance.totalUsed(), balance.totalReversed(), balance.totalAdjusted(),
                    balance.totalExpired(), balance.updatedAt().map(Instant::toString).orElse(null));
        }
    }

    /** A purchase as its buyer sees it: {@code GET /tokens/purchases/} and {@code /tokens/purchases/{id}/}. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record PurchaseView(
            @JsonProperty("id") long id,
            @JsonProperty("status") String status,
            @JsonProperty("packageSlug") String packageSlug,
            @JsonProperty("tokenAmount") long tokenAmount,
            @JsonProperty("amount") BigDecimal amount,
            @JsonProperty("currency") String currency,
            @JsonProperty("paymentIntentId") String paymentIntentId,
            @JsonProperty("failureCode") String failureCode,
            @JsonProperty("failureMessage") String failureMessage,
            @JsonProperty("tokensReversed") long tokensReversed,
            @JsonProperty("createdAt") String createdAt,
            @JsonProperty("updatedAt") String updatedAt,
            @JsonProperty("completedAt") String completedAt) {

        public static PurchaseView of(Purchase purchase) {
            return new PurchaseView(purchase.id(), purchase.status().wireName(), purchase.packageSlug(), purchase.tokenAmount(),
                    purchase.amount().majorUnits(), purchase.amount().currency().getCurrencyCode(), purchase.paymentIntentId().orElse(null),
                    purchase.failureCode().orElse(null), purchase.failureMessage().orElse(null),
                    purchase.tokensReversed() + purchase.tokensDisputed(), purchase.createdAt().toString(),
                    purchase.updatedAt().toString(), purchase.completedAt().map(Instant::toString).orElse(null));
        }
    }

    /** One ledger entry of {@code GET /tokens/transactions/}; {@code amount} is signed (credits positive). */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record TransactionView(
            @JsonProperty("id") long id,
            @JsonProperty("kind") String kind,
            @JsonProperty("amount") long amount,
            @JsonProperty("balanceAfter") long balanceAfter,
            @JsonProperty("purchaseId") Long purchaseId,
            @JsonProperty("description") String description,
            @JsonProperty("createdAt") String createdAt) {

        public static TransactionView of(LedgerEntry entry) {
            return new TransactionView(entry.id(), entry.kind().wireName(), entry.amount(), entry.balanceAfter(),
                    entry.purchaseId().orElse(null), entry.description(), entry.createdAt().toString());
        }
    }

    /** A page of the ledger, newest first; pass {@code nextCursor} as {@code cursor} for the next page (null on the last). */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record TransactionPage(
            @JsonProperty("items") List<TransactionView> items,
            @JsonProperty("nextCursor") String nextCursor) {

        public static TransactionPage of(Page<LedgerEntry> page) {
            return new TransactionPage(page.items().stream().map(TransactionView::of).toList(), page.nextCursor().orElse(null));
        }
    }

    /**
     * What the payment page needs before it can load Stripe.js: {@code GET /config/}.
     *
     * @param stripeApiBase set only in test mode with {@code billing.stripe.api-base} (a FakeStripe), for a Stripe.js stand-in
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record ConfigView(
            @JsonProperty("publishableKey") String publishableKey,
            @JsonProperty("liveMode") boolean liveMode,
            @JsonProperty("purchasesEnabled") boolean purchasesEnabled,
            @JsonProperty("stripeApiBase") String stripeApiBase) {
    }

    /** The answer to a webhook delivery that Stripe should not repeat (2xx). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record WebhookReceipt(
            @JsonProperty("received") boolean received,
            @JsonProperty("status") String status,
            @JsonProperty("eventId") String eventId,
            @JsonProperty("eventType") String eventType,
            @JsonProperty("detail") String detail) {

        public static WebhookReceipt of(WebhookOutcome outcome) {
            return new WebhookReceipt(true, outcome.status().name().toLowerCase(java.util.Locale.ROOT), outcome.eventId().orElse(null),
                    outcome.eventType().orElse(null), outcome.reason());
        }
    }
}
