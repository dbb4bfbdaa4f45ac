package dev.tokenbilling.boot.web;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.tokenbilling.model.LedgerEntry;
import dev.tokenbilling.model.Page;
import dev.tokenbilling.model.Purchase;
import dev.tokenbilling.model.PurchaseIntent;
import dev.tokenbilling.model.Reservation;
import dev.tokenbilling.model.TokenBalance;
import dev.tokenbilling.model.TokenLot;
import dev.tokenbilling.model.TokenPackage;
import dev.tokenbilling.webhook.WebhookOutcome;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/**
 * The JSON bodies of the billing REST API, in the shapes its payment page expects: the package list
 * and balance in camelCase, the purchase request and response in snake_case. Every name is fixed
 * with {@code @JsonProperty}, so an application-wide naming strategy or inclusion rule cannot change
 * the contract. Money is a decimal in major units (the package {@code price} a string, the purchase
 * {@code amount} a number); times are ISO-8601 strings in UTC. Hosts that write their
 * own controllers can reuse these records to answer the same shapes.
 */
public final class BillingJson {

    private BillingJson() {}

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
            return new PackageView(
                    pack.id(),
                    pack.slug(),
                    pack.name(),
                    pack.packageType(),
                    pack.tokenAmount(),
                    pack.price().majorUnits().toPlainString(),
                    pack.price().currency().getCurrencyCode(),
                    pack.pricePerMillionTokens().toPlainString(),
                    pack.description(),
                    pack.active(),
                    pack.stripePriceId().orElse(null));
        }
    }

    /** The body of {@code POST /tokens/purchase/}: {@code {"package_slug": "booster-500k"}}; {@code packageSlug} is accepted too. */
    public record PurchaseRequest(
            @JsonProperty("package_slug") @JsonAlias("packageSlug")
            String packageSlug) {}

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
            return new PurchaseStarted(
                    intent.paymentIntentId(),
                    intent.clientSecret(),
                    intent.amountMajor(),
                    intent.amount().currency().getCurrencyCode(),
                    intent.tokenAmount(),
                    intent.purchaseId());
        }

        @Override
        public String toString() {
            return "PurchaseStarted[purchaseId=" + purchaseId + ", paymentIntentId=" + paymentIntentId + "]";
        }
    }

    /**
     * The answer of {@code GET /tokens/balance/}: {@code balance}, {@code totalPurchased}
     * and {@code totalUsed}, the other totals, what is held for requests in flight ({@code reserved})
     * and can be spent now ({@code available}), and {@code nextExpiry}: the soonest time open lots
     * lapse and the tokens they still hold then ({@code null} when nothing expires).
     */
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
            @JsonProperty("nextExpiry") NextExpiry nextExpiry,
            @JsonProperty("updatedAt") String updatedAt) {

        /** The balance without its next expiry ({@code nextExpiry} null). */
        public BalanceView(
                long balance,
                long available,
                long reserved,
                long totalPurchased,
                long totalGranted,
                long totalUsed,
                long totalReversed,
                long totalAdjusted,
                long totalExpired,
                String updatedAt) {
            this(
                    balance,
                    available,
                    reserved,
                    totalPurchased,
                    totalGranted,
                    totalUsed,
                    totalReversed,
                    totalAdjusted,
                    totalExpired,
                    null,
                    updatedAt);
        }

        /** The balance alone; {@code nextExpiry} stays null (use {@link #of(TokenBalance, List)} to fill it). */
        public static BalanceView of(TokenBalance balance) {
            return of(balance, List.of());
        }

        /** The balance with its next expiry taken from the user's open lots ({@code TokenBillingService.ledger().lots(user)}). */
        public static BalanceView of(TokenBalance balance, List<TokenLot> openLots) {
            return new BalanceView(
                    balance.balance(),
                    balance.available(),
                    balance.reserved(),
                    balance.totalPurchased(),
                    balance.totalGranted(),
                    balance.totalUsed(),
                    balance.totalReversed(),
                    balance.totalAdjusted(),
                    balance.totalExpired(),
                    NextExpiry.of(openLots),
                    balance.updatedAt().map(Instant::toString).orElse(null));
        }
    }

    /** The soonest expiry among open lots, and the tokens that lapse then (summed over the lots lapsing at that instant). */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record NextExpiry(
            @JsonProperty("expiresAt") String expiresAt,
            @JsonProperty("tokens") long tokens) {

        /** The next expiry of these lots, or null when none of them has tokens left that expire. */
        public static NextExpiry of(List<TokenLot> lots) {
            Instant soonest = null;
            long tokens = 0;
            for (TokenLot lot : lots) {
                if (lot.remaining() <= 0
                        || lot.closedAt().isPresent()
                        || lot.expiresAt().isEmpty()) {
                    continue;
                }
                Instant at = lot.expiresAt().get();
                if (soonest == null || at.isBefore(soonest)) {
                    soonest = at;
                    tokens = lot.remaining();
                } else if (at.equals(soonest)) {
                    tokens += lot.remaining();
                }
            }
            return soonest == null ? null : new NextExpiry(soonest.toString(), tokens);
        }
    }

    /**
     * One open credit lot of {@code GET /tokens/lots/}, in the order usage draws from them.
     *
     * @param source    {@code purchase}, {@code grant}, {@code adjustment}, {@code dispute_reversal}, {@code refund_reversal} or {@code migration}
     * @param expiresAt when what remains lapses; null for tokens that never expire
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record LotView(
            @JsonProperty("id") long id,
            @JsonProperty("source") String source,
            @JsonProperty("purchaseId") Long purchaseId,
            @JsonProperty("amount") long amount,
            @JsonProperty("remaining") long remaining,
            @JsonProperty("priority") int priority,
            @JsonProperty("expiresAt") String expiresAt,
            @JsonProperty("createdAt") String createdAt) {

        public static LotView of(TokenLot lot) {
            return new LotView(
                    lot.id(),
                    lot.source(),
                    lot.purchaseId().orElse(null),
                    lot.amount(),
                    lot.remaining(),
                    lot.priority(),
                    lot.expiresAt().map(Instant::toString).orElse(null),
                    lot.createdAt().toString());
        }
    }

    /**
     * One active hold of {@code GET /tokens/holds/}: tokens held for a request in flight until it is
     * settled, released or expires. The hold's idempotency key is the metering side's and is not shown.
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record HoldView(
            @JsonProperty("id") long id,
            @JsonProperty("amount") long amount,
            @JsonProperty("status") String status,
            @JsonProperty("description") String description,
            @JsonProperty("expiresAt") String expiresAt,
            @JsonProperty("createdAt") String createdAt) {

        public static HoldView of(Reservation hold) {
            return new HoldView(
                    hold.id(),
                    hold.amount(),
                    hold.status().wireName(),
                    hold.description(),
                    hold.expiresAt().toString(),
                    hold.createdAt().toString());
        }
    }

    /** The failure code prefix billing-core records when starting a purchase failed at the payment provider. */
    private static final String PROVIDER_FAILURE_PREFIX = "provider_";

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

        /**
         * The purchase as its buyer sees it. A payment that failed shows Stripe's decline code and
         * message ({@code card_declined}, "Your card was declined."), which are written for buyers; a
         * purchase that failed to start at Stripe (unreachable, refusing the request) shows
         * {@code payment_provider_error} and a plain message, since what billing-core recorded
         * ({@code provider_...} and Stripe's text) is for operators.
         */
        public static PurchaseView of(Purchase purchase) {
            return new PurchaseView(
                    purchase.id(),
                    purchase.status().wireName(),
                    purchase.packageSlug(),
                    purchase.tokenAmount(),
                    purchase.amount().majorUnits(),
                    purchase.amount().currency().getCurrencyCode(),
                    purchase.paymentIntentId().orElse(null),
                    providerFailure(purchase)
                            ? BillingApiController.PAYMENT_PROVIDER_ERROR
                            : purchase.failureCode().orElse(null),
                    providerFailure(purchase)
                            ? BillingApiController.PAYMENT_PROVIDER_ERROR_MESSAGE
                            : purchase.failureMessage().orElse(null),
                    purchase.tokensReversed() + purchase.tokensDisputed(),
                    purchase.createdAt().toString(),
                    purchase.updatedAt().toString(),
                    purchase.completedAt().map(Instant::toString).orElse(null));
        }

        private static boolean providerFailure(Purchase purchase) {
            return purchase.failureCode()
                    .filter(code -> code.startsWith(PROVIDER_FAILURE_PREFIX))
                    .isPresent();
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
            return new TransactionView(
                    entry.id(),
                    entry.kind().wireName(),
                    entry.amount(),
                    entry.balanceAfter(),
                    entry.purchaseId().orElse(null),
                    entry.description(),
                    entry.createdAt().toString());
        }
    }

    /** A page of the ledger, newest first; pass {@code nextCursor} as {@code cursor} for the next page (null on the last). */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record TransactionPage(
            @JsonProperty("items") List<TransactionView> items,
            @JsonProperty("nextCursor") String nextCursor) {

        public static TransactionPage of(Page<LedgerEntry> page) {
            return new TransactionPage(
                    page.items().stream().map(TransactionView::of).toList(),
                    page.nextCursor().orElse(null));
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
            @JsonProperty("stripeApiBase") String stripeApiBase) {}

    /** The answer to a webhook delivery that Stripe should not repeat (2xx); {@code detail} is the outcome's one-line description. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record WebhookReceipt(
            @JsonProperty("received") boolean received,
            @JsonProperty("status") String status,
            @JsonProperty("eventId") String eventId,
            @JsonProperty("eventType") String eventType,
            @JsonProperty("detail") String detail) {

        public static WebhookReceipt of(WebhookOutcome outcome) {
            return new WebhookReceipt(
                    true,
                    outcome.status().name().toLowerCase(java.util.Locale.ROOT),
                    outcome.eventId().orElse(null),
                    outcome.eventType().orElse(null),
                    outcome.describe());
        }
    }
}
