package dev.tokenbilling.boot.web;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.tokenbilling.model.ActionNeeded;
import dev.tokenbilling.model.BillingInterval;
import dev.tokenbilling.model.CardSetup;
import dev.tokenbilling.model.CheckoutSession;
import dev.tokenbilling.model.LedgerEntry;
import dev.tokenbilling.model.Money;
import dev.tokenbilling.model.Page;
import dev.tokenbilling.model.Purchase;
import dev.tokenbilling.model.PurchaseIntent;
import dev.tokenbilling.model.RechargeAttempt;
import dev.tokenbilling.model.RechargeRule;
import dev.tokenbilling.model.Reservation;
import dev.tokenbilling.model.SavedCard;
import dev.tokenbilling.model.Subscription;
import dev.tokenbilling.model.SubscriptionOverview;
import dev.tokenbilling.model.SubscriptionTier;
import dev.tokenbilling.model.TokenBalance;
import dev.tokenbilling.model.TokenLot;
import dev.tokenbilling.model.TokenPackage;
import dev.tokenbilling.webhook.WebhookOutcome;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

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

    /**
     * The body of {@code POST /tokens/purchase/}: {@code {"package_slug": "booster-500k"}}; {@code packageSlug} is
     * accepted too. With {@code "saveCard": true} the card is kept for auto-recharge (ask the buyer's consent on the
     * page that pays).
     */
    public record PurchaseRequest(
            @JsonProperty("package_slug") @JsonAlias("packageSlug")
            String packageSlug,

            @JsonProperty("saveCard") @JsonAlias("save_card")
            Boolean saveCard) {

        /** True when the card is to be saved for auto-recharge. */
        public boolean savesCard() {
            return Boolean.TRUE.equals(saveCard);
        }
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

    /**
     * One entry of {@code GET /tiers/}: a subscription tier on sale. Prices are decimal strings in
     * major units, as the packages show them; {@code yearlyPrice} is null for a tier not sold per year,
     * {@code rolloverCap} null for a tier whose unused tokens do not roll over. {@code subscribable}
     * says per interval whether a checkout can start now (paid, on sale and synced to Stripe).
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record TierView(
            @JsonProperty("id") long id,
            @JsonProperty("slug") String slug,
            @JsonProperty("name") String name,
            @JsonProperty("description") String description,
            @JsonProperty("monthlyPrice") String monthlyPrice,
            @JsonProperty("yearlyPrice") String yearlyPrice,
            @JsonProperty("currency") String currency,
            @JsonProperty("tokensPerPeriod") long tokensPerPeriod,
            @JsonProperty("rolloverCap") Long rolloverCap,
            @JsonProperty("free") boolean free,
            @JsonProperty("subscribable") Subscribable subscribable) {

        public static TierView of(SubscriptionTier tier) {
            return new TierView(
                    tier.id(),
                    tier.slug(),
                    tier.name(),
                    tier.description(),
                    price(tier.monthlyPrice()),
                    tier.yearlyPrice().map(BillingJson::price).orElse(null),
                    tier.monthlyPrice().currency().getCurrencyCode(),
                    tier.tokensPerPeriod(),
                    tier.rolloverCap().orElse(null),
                    tier.free(),
                    new Subscribable(
                            tier.subscribable(BillingInterval.MONTH), tier.subscribable(BillingInterval.YEAR)));
        }
    }

    /** Per interval, whether a tier can be subscribed to now. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record Subscribable(
            @JsonProperty("month") boolean month,
            @JsonProperty("year") boolean year) {}

    /**
     * A user's Stripe subscription as its subscriber sees it. {@code status} is Stripe's
     * ({@code active}, {@code trialing}, {@code past_due}, {@code canceled}, ...), {@code interval}
     * {@code month} or {@code year}; times are null until Stripe reports them.
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record SubscriptionView(
            @JsonProperty("stripeSubscriptionId") String stripeSubscriptionId,
            @JsonProperty("tier") String tier,
            @JsonProperty("status") String status,
            @JsonProperty("interval") String interval,
            @JsonProperty("currentPeriodStart") String currentPeriodStart,
            @JsonProperty("currentPeriodEnd") String currentPeriodEnd,
            @JsonProperty("cancelAtPeriodEnd") boolean cancelAtPeriodEnd,
            @JsonProperty("canceledAt") String canceledAt,
            @JsonProperty("endedAt") String endedAt) {

        public static SubscriptionView of(Subscription subscription) {
            return new SubscriptionView(
                    subscription.stripeSubscriptionId(),
                    subscription.tierSlug(),
                    subscription.status().wireName(),
                    subscription.interval().wireName(),
                    subscription.currentPeriodStart().map(Instant::toString).orElse(null),
                    subscription.currentPeriodEnd().map(Instant::toString).orElse(null),
                    subscription.cancelAtPeriodEnd(),
                    subscription.canceledAt().map(Instant::toString).orElse(null),
                    subscription.endedAt().map(Instant::toString).orElse(null));
        }
    }

    /**
     * The answer of {@code GET /subscription/}: the tier the caller is on (their subscription's while
     * it entitles them, else the free tier; null when the catalog has none), their latest subscription
     * whatever its state (null when they never subscribed), what their allowance still holds, and when
     * the next allowance is due ({@code resetsAt}: the period's end, or the next month for the free tier).
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record SubscriptionOverviewView(
            @JsonProperty("tier") TierView tier,
            @JsonProperty("subscription") SubscriptionView subscription,
            @JsonProperty("allowanceRemaining") long allowanceRemaining,
            @JsonProperty("resetsAt") String resetsAt) {

        public static SubscriptionOverviewView of(SubscriptionOverview overview) {
            return new SubscriptionOverviewView(
                    overview.tier().map(TierView::of).orElse(null),
                    overview.subscription().map(SubscriptionView::of).orElse(null),
                    overview.allowanceRemaining(),
                    overview.resetsAt().map(Instant::toString).orElse(null));
        }
    }

    /**
     * The body of {@code POST /subscription/checkout/}:
     * {@code {"tier": "plus", "interval": "month", "successUrl": ..., "cancelUrl": ...}}. {@code interval}
     * defaults to {@code month}; the URLs default to the billing page ({@code billing.web.return-path}).
     */
    public record SubscriptionCheckoutRequest(
            @JsonProperty("tier") @JsonAlias("tierSlug") String tier,
            @JsonProperty("interval") String interval,

            @JsonProperty("successUrl") @JsonAlias("success_url")
            String successUrl,

            @JsonProperty("cancelUrl") @JsonAlias("cancel_url")
            String cancelUrl) {}

    /**
     * The body of {@code POST /tokens/checkout/}: {@code {"package": "booster-500k"}}, with optional
     * {@code successUrl} and {@code cancelUrl}; {@code package_slug} and {@code packageSlug} are accepted too.
     */
    public record PackCheckoutRequest(
            @JsonProperty("package") @JsonAlias({"package_slug", "packageSlug"})
            String packageSlug,

            @JsonProperty("successUrl") @JsonAlias("success_url")
            String successUrl,

            @JsonProperty("cancelUrl") @JsonAlias("cancel_url")
            String cancelUrl) {}

    /** The body of {@code POST /subscription/portal/}, optional: {@code {"returnUrl": ...}}. */
    public record PortalRequest(
            @JsonProperty("returnUrl") @JsonAlias("return_url")
            String returnUrl) {}

    /** The answer of {@code POST /subscription/checkout/}: send the browser to {@code url}. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record CheckoutStarted(
            @JsonProperty("sessionId") String sessionId,
            @JsonProperty("url") String url) {

        public static CheckoutStarted of(CheckoutSession session) {
            return new CheckoutStarted(session.id(), session.url());
        }
    }

    /**
     * The answer of {@code POST /tokens/checkout/}: send the browser to {@code url}; {@code purchaseId}
     * is the pending purchase the session pays for (poll {@code GET /tokens/purchases/{id}/}).
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record PackCheckoutStarted(
            @JsonProperty("sessionId") String sessionId,
            @JsonProperty("url") String url,
            @JsonProperty("purchaseId") Long purchaseId) {

        public static PackCheckoutStarted of(CheckoutSession session) {
            return new PackCheckoutStarted(
                    session.id(), session.url(), session.purchaseId().orElse(null));
        }
    }

    /**
     * The body of {@code PUT /recharge/}:
     * {@code {"package": "booster-500k", "threshold": 50000, "maxPerMonth": 5, "maxAmountPerMonth": 2500,
     * "paymentMethod": "pm_..."}}; only {@code package} and {@code threshold} are required. The card defaults to
     * the caller's saved card, {@code maxAmountPerMonth} (minor units) to {@code maxPerMonth} packs' price.
     */
    public record RechargeRequest(
            @JsonProperty("package") @JsonAlias({"package_slug", "packageSlug"})
            String packageSlug,

            @JsonProperty("threshold") Long threshold,

            @JsonProperty("maxPerMonth") @JsonAlias("max_per_month")
            Integer maxPerMonth,

            @JsonProperty("maxAmountPerMonth") @JsonAlias("max_amount_per_month")
            Long maxAmountPerMonth,

            @JsonProperty("paymentMethod") @JsonAlias({"payment_method", "paymentMethodId"})
            String paymentMethod) {}

    /**
     * The caller's auto-recharge rule: buy {@code package} when the available balance falls below
     * {@code threshold}; {@code running} is false while it is off or paused ({@code pausedReason} says why).
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record RechargeRuleView(
            @JsonProperty("package") String packageSlug,
            @JsonProperty("threshold") long threshold,
            @JsonProperty("paymentMethod") String paymentMethod,
            @JsonProperty("maxPerMonth") int maxPerMonth,
            @JsonProperty("maxAmountPerMonth") long maxAmountPerMonth,
            @JsonProperty("maxFailures") int maxFailures,
            @JsonProperty("enabled") boolean enabled,
            @JsonProperty("running") boolean running,
            @JsonProperty("pausedReason") String pausedReason,
            @JsonProperty("failures") int failures,
            @JsonProperty("createdAt") String createdAt,
            @JsonProperty("updatedAt") String updatedAt) {

        public static RechargeRuleView of(RechargeRule rule) {
            return new RechargeRuleView(
                    rule.packageSlug(),
                    rule.threshold(),
                    rule.paymentMethodId(),
                    rule.maxPerMonth(),
                    rule.maxAmountPerMonth(),
                    rule.maxFailures(),
                    rule.enabled(),
                    rule.running(),
                    rule.pausedReason().orElse(null),
                    rule.failures(),
                    rule.createdAt().toString(),
                    rule.updatedAt().toString());
        }
    }

    /** A card saved on the caller's Stripe customer: {@code id} is its PaymentMethod. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record SavedCardView(
            @JsonProperty("id") String id,
            @JsonProperty("brand") String brand,
            @JsonProperty("last4") String last4,
            @JsonProperty("expMonth") int expMonth,
            @JsonProperty("expYear") int expYear) {

        public static SavedCardView of(SavedCard card) {
            return new SavedCardView(
                    card.paymentMethodId(), card.brand(), card.last4(), card.expMonth(), card.expYear());
        }
    }

    /**
     * One auto-recharge: {@code status} is {@code pending}, {@code processing}, {@code succeeded}, {@code failed},
     * {@code requires_action} or {@code skipped}.
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record RechargeAttemptView(
            @JsonProperty("id") long id,
            @JsonProperty("status") String status,
            @JsonProperty("tries") int tries,
            @JsonProperty("availableAtStart") long availableAtStart,
            @JsonProperty("purchaseId") Long purchaseId,
            @JsonProperty("reason") String reason,
            @JsonProperty("createdAt") String createdAt,
            @JsonProperty("updatedAt") String updatedAt) {

        public static RechargeAttemptView of(RechargeAttempt attempt) {
            return new RechargeAttemptView(
                    attempt.id(),
                    attempt.status().wireName(),
                    attempt.tries(),
                    attempt.availableAtStart(),
                    attempt.purchaseId().orElse(null),
                    attempt.reason().orElse(null),
                    attempt.createdAt().toString(),
                    attempt.updatedAt().toString());
        }
    }

    /**
     * A recharge the bank wants the caller to authenticate: confirm {@code paymentIntentId} on-session with
     * {@code clientSecret} (Stripe.js {@code confirmCardPayment}); its success credits the pack and resumes the rule.
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record ActionNeededView(
            @JsonProperty("attemptId") long attemptId,
            @JsonProperty("paymentIntentId") String paymentIntentId,
            @JsonProperty("clientSecret") String clientSecret,
            @JsonProperty("amount") BigDecimal amount,
            @JsonProperty("currency") String currency) {

        public static ActionNeededView of(ActionNeeded action) {
            return new ActionNeededView(
                    action.attempt().id(),
                    action.paymentIntentId(),
                    action.clientSecret(),
                    action.amount().majorUnits(),
                    action.amount().currency().getCurrencyCode());
        }

        @Override
        public String toString() {
            return "ActionNeededView[attemptId=" + attemptId + ", paymentIntentId=" + paymentIntentId + "]";
        }
    }

    /**
     * The answer of {@code GET /recharge/}: the caller's rule ({@code null} without one), saved cards, latest
     * recharges (newest first), the recharge waiting for the caller ({@code null} when none) and the low-balance
     * alert threshold ({@code null} when not set).
     */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record RechargeOverviewView(
            @JsonProperty("rule") RechargeRuleView rule,
            @JsonProperty("cards") List<SavedCardView> cards,
            @JsonProperty("attempts") List<RechargeAttemptView> attempts,
            @JsonProperty("actionNeeded") ActionNeededView actionNeeded,
            @JsonProperty("lowBalanceAlert") Long lowBalanceAlert) {

        public static RechargeOverviewView of(
                Optional<RechargeRule> rule,
                List<SavedCard> cards,
                List<RechargeAttempt> attempts,
                Optional<ActionNeeded> actionNeeded,
                java.util.OptionalLong lowBalanceAlert) {
            return new RechargeOverviewView(
                    rule.map(RechargeRuleView::of).orElse(null),
                    cards.stream().map(SavedCardView::of).toList(),
                    attempts.stream().map(RechargeAttemptView::of).toList(),
                    actionNeeded.map(ActionNeededView::of).orElse(null),
                    lowBalanceAlert.isPresent() ? lowBalanceAlert.getAsLong() : null);
        }
    }

    /** The answer of {@code POST /recharge/cards/}: give {@code clientSecret} to Stripe.js ({@code confirmCardSetup}). */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record CardSetupView(
            @JsonProperty("setupIntentId") String setupIntentId,
            @JsonProperty("clientSecret") String clientSecret) {

        public static CardSetupView of(CardSetup setup) {
            return new CardSetupView(setup.setupIntentId(), setup.clientSecret());
        }

        @Override
        public String toString() {
            return "CardSetupView[setupIntentId=" + setupIntentId + "]";
        }
    }

    /** The body and answer of {@code PUT /alerts/low-balance/}: {@code {"threshold": 10000}}. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record LowBalanceAlertView(
            @JsonProperty("threshold") Long threshold) {}

    /** The answer of {@code POST /subscription/portal/}: the Stripe Customer Portal session to send the browser to. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public record PortalView(@JsonProperty("url") String url) {}

    /** A price as the API shows it: a decimal string in major units ({@code "10.00"}). */
    private static String price(Money money) {
        return money.majorUnits().toPlainString();
    }

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
