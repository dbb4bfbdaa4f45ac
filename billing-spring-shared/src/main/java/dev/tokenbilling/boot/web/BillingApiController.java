package dev.tokenbilling.boot.web;

import dev.tokenbilling.TokenBilling;
import dev.tokenbilling.boot.metrics.BillingMetrics;
import dev.tokenbilling.boot.web.BillingJson.BalanceView;
import dev.tokenbilling.boot.web.BillingJson.CardSetupView;
import dev.tokenbilling.boot.web.BillingJson.CheckoutStarted;
import dev.tokenbilling.boot.web.BillingJson.ConfigView;
import dev.tokenbilling.boot.web.BillingJson.HoldView;
import dev.tokenbilling.boot.web.BillingJson.LotView;
import dev.tokenbilling.boot.web.BillingJson.LowBalanceAlertView;
import dev.tokenbilling.boot.web.BillingJson.PackCheckoutRequest;
import dev.tokenbilling.boot.web.BillingJson.PackCheckoutStarted;
import dev.tokenbilling.boot.web.BillingJson.PackageView;
import dev.tokenbilling.boot.web.BillingJson.PortalRequest;
import dev.tokenbilling.boot.web.BillingJson.PortalView;
import dev.tokenbilling.boot.web.BillingJson.PurchaseRequest;
import dev.tokenbilling.boot.web.BillingJson.PurchaseStarted;
import dev.tokenbilling.boot.web.BillingJson.PurchaseView;
import dev.tokenbilling.boot.web.BillingJson.RechargeOverviewView;
import dev.tokenbilling.boot.web.BillingJson.RechargeRequest;
import dev.tokenbilling.boot.web.BillingJson.RechargeRuleView;
import dev.tokenbilling.boot.web.BillingJson.SubscriptionCheckoutRequest;
import dev.tokenbilling.boot.web.BillingJson.SubscriptionOverviewView;
import dev.tokenbilling.boot.web.BillingJson.SubscriptionView;
import dev.tokenbilling.boot.web.BillingJson.TierView;
import dev.tokenbilling.boot.web.BillingJson.TransactionPage;
import dev.tokenbilling.error.BillingError;
import dev.tokenbilling.error.BillingException;
import dev.tokenbilling.error.InvalidRequestException;
import dev.tokenbilling.error.PaymentProviderException;
import dev.tokenbilling.error.UnknownPackageException;
import dev.tokenbilling.model.BillingInterval;
import dev.tokenbilling.model.CheckoutSession;
import dev.tokenbilling.model.PageRequest;
import dev.tokenbilling.model.PurchaseIntent;
import dev.tokenbilling.model.PurchaseQuery;
import dev.tokenbilling.model.RechargeSettings;
import dev.tokenbilling.model.SavedCard;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.service.TokenBillingService;
import jakarta.servlet.http.HttpServletRequest;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.ErrorResponse;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.method.HandlerMethod;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

/**
 * The billing REST API under {@code billing.web.base-path} (default {@code /api/v1/billing}); each
 * path answers with and without its trailing slash. The calling user comes from the
 * {@link BillingUserResolver}, never from the request; another user's purchase is answered
 * {@code 404} like a purchase that does not exist. Errors are RFC 9457 {@code application/problem+json}:
 * {@code title} is the API's message for the operation ("Failed to initiate purchase", ...),
 * {@code detail} names the cause in words for the caller, and {@code code} is a stable
 * machine-readable reason. Library errors are mapped by their {@link dev.tokenbilling.error.BillingError}
 * code in one switch. A {@code 5xx} detail is a plain message
 * (what Stripe or the database said goes to the log), and no detail repeats more than a short prefix
 * of a request value.
 */
@RestController
@RequestMapping("${billing.web.base-path:/api/v1/billing}")
public class BillingApiController {

    private static final Logger LOG = LoggerFactory.getLogger(BillingApiController.class);
    private static final int DEFAULT_PURCHASES_LIMIT = 20;
    private static final int MAX_PURCHASES_LIMIT = 100;
    /** How many of the caller's latest recharges {@code GET /recharge/} shows. */
    static final int RECHARGE_ATTEMPTS_SHOWN = 10;
    /** Stripe object ids (PaymentMethods) are short; longer ones are refused without asking Stripe. */
    private static final int MAX_STRIPE_ID_LENGTH = 255;

    static final String RECHARGE_EXAMPLE = "{\"package\": \"booster-500k\", \"threshold\": 50000}";

    /** {@code code} of a 503 when Stripe is unreachable, rate-limits or fails for now: worth retrying. */
    public static final String PAYMENT_PROVIDER_UNAVAILABLE = "payment_provider_unavailable";
    /** {@code code} of a 502 when Stripe refused the request (a key, a customer, a parameter): an operator must look. */
    public static final String PAYMENT_PROVIDER_ERROR = "payment_provider_error";

    static final String PAYMENT_PROVIDER_UNAVAILABLE_MESSAGE = "Payments are temporarily unavailable, please try again";
    static final String PAYMENT_PROVIDER_ERROR_MESSAGE = "The payment could not be started, please try again later";
    /** Package slugs are at most 63 characters (billing-core's catalog rule); longer ones are unknown without a query. */
    private static final int MAX_SLUG_LENGTH = 63;
    /** Longest return URL passed on to Stripe; longer ones are refused here rather than by Stripe. */
    static final int MAX_URL_LENGTH = 2048;
    /** Where Stripe Checkout and the Customer Portal return to unless configured otherwise. */
    public static final String DEFAULT_RETURN_PATH = "/billing.html";
    /** Appended to the billing page after a paid checkout; Stripe fills in the session's id. */
    static final String CHECKOUT_SUCCESS_QUERY = "checkout=success&session_id={CHECKOUT_SESSION_ID}";
    /** Appended to the billing page after a checkout left without paying. */
    static final String CHECKOUT_CANCELED_QUERY = "checkout=canceled";

    private final TokenBillingService service;
    private final boolean paymentsConfigured;
    private final BillingUserResolver users;
    private final ConfigView config;
    private final int transactionsPageSize;
    private final Supplier<BillingMetrics> metrics;
    private final String returnPath;

    /** The controller whose checkouts return to {@value #DEFAULT_RETURN_PATH} unless the request names URLs. */
    public BillingApiController(
            TokenBilling billing,
            BillingUserResolver users,
            ConfigView config,
            int transactionsPageSize,
            Supplier<BillingMetrics> metrics) {
        this(billing, users, config, transactionsPageSize, metrics, DEFAULT_RETURN_PATH);
    }

    /**
     * @param config               what {@code GET /config/} answers: the publishable key and mode for Stripe.js
     * @param transactionsPageSize entries per ledger page when the request gives no {@code limit}
     * @param returnPath           the billing page's path (from the context path), where Stripe Checkout and the
     *                             Customer Portal send the browser back when the request names no URL
     */
    public BillingApiController(
            TokenBilling billing,
            BillingUserResolver users,
            ConfigView config,
            int transactionsPageSize,
            Supplier<BillingMetrics> metrics,
            String returnPath) {
        this.service = Objects.requireNonNull(billing, "billing").service();
        this.paymentsConfigured = billing.paymentsConfigured();
        this.users = Objects.requireNonNull(users, "users");
        this.config = Objects.requireNonNull(config, "config");
        if (transactionsPageSize < 1 || transactionsPageSize > PageRequest.MAX_LIMIT) {
            throw new IllegalArgumentException("billing.web.transactions-page-size must be between 1 and "
                    + PageRequest.MAX_LIMIT + ", was " + transactionsPageSize);
        }
        this.transactionsPageSize = transactionsPageSize;
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        if (returnPath == null
                || !returnPath.startsWith("/")
                || returnPath.startsWith("//")
                || returnPath.contains("?")
                || returnPath.contains("#")
                || returnPath.contains("{")) {
            throw new IllegalArgumentException(
                    "billing.web.return-path must be a path starting with '/', without query or fragment, was '"
                            + returnPath + "'");
        }
        this.returnPath = returnPath;
    }

    /** The packages on sale, in display order. Public: no user needed. */
    @GetMapping({"/packages/", "/packages"})
    @ProblemTitle("Failed to load token packages")
    public List<PackageView> packages() {
        return service.catalog().packages().stream().map(PackageView::of).toList();
    }

    /** The publishable key and mode for Stripe.js. Public: no user needed. */
    @GetMapping({"/config/", "/config"})
    @ProblemTitle("Failed to load billing configuration")
    public ConfigView config() {
        return config;
    }

    /**
     * Starts buying a package: a pending purchase and its PaymentIntent, whose client secret the page confirms.
     * With {@code "saveCard": true} the card is kept on the caller's Stripe customer for auto-recharge.
     */
    @PostMapping({"/tokens/purchase/", "/tokens/purchase"})
    @ProblemTitle("Failed to initiate purchase")
    public PurchaseStarted purchase(HttpServletRequest request, @RequestBody(required = false) PurchaseRequest body) {
        UserId user = user(request);
        String slug = body == null ? null : body.packageSlug();
        if (slug == null || slug.isBlank()) {
            throw new InvalidRequestException("package_slug", "is required, e.g. {\"package_slug\": \"booster-500k\"}");
        }
        if (slug.length() > MAX_SLUG_LENGTH || slug.indexOf('\0') >= 0) {
            // No package has such a slug, and PostgreSQL could not even compare one with a NUL.
            throw new UnknownPackageException(slug);
        }
        PurchaseIntent intent;
        try {
            // Without Stripe, billing-core refuses with PAYMENTS_NOT_CONFIGURED before it looks at anything.
            intent = body.savesCard()
                    ? service.purchases().startSavingCard(user, slug)
                    : service.purchases().start(user, slug);
        } catch (RuntimeException e) {
            metrics.get().purchaseStartFailed(slug, codeOf(e));
            throw e;
        }
        LOG.info(
                "Purchase {} of '{}' started by user {} ({}){}",
                intent.purchaseId(),
                slug,
                user,
                intent.paymentIntentId(),
                body.savesCard() ? ", saving the card" : "");
        return PurchaseStarted.of(intent);
    }

    /** The caller's balance and totals, what is held and available, and the next expiry of their tokens. */
    @GetMapping({"/tokens/balance/", "/tokens/balance"})
    @ProblemTitle("Failed to load token balance")
    public BalanceView balance(HttpServletRequest request) {
        UserId user = user(request);
        return BalanceView.of(service.ledger().balance(user), service.ledger().lots(user));
    }

    /** The caller's open credit lots, in the order usage draws from them, with their expiry dates. */
    @GetMapping({"/tokens/lots/", "/tokens/lots"})
    @ProblemTitle("Failed to load token lots")
    public List<LotView> lots(HttpServletRequest request) {
        return service.ledger().lots(user(request)).stream().map(LotView::of).toList();
    }

    /**
     * The caller's active holds: tokens reserved for requests in flight. Read-only: holds are made and
     * settled by the application's metering ({@code TokenBillingService.reservations()}), never by the browser.
     */
    @GetMapping({"/tokens/holds/", "/tokens/holds"})
    @ProblemTitle("Failed to load token holds")
    public List<HoldView> holds(HttpServletRequest request) {
        return service.reservations().active(user(request)).stream()
                .map(HoldView::of)
                .toList();
    }

    /** The caller's purchases, newest first. */
    @GetMapping({"/tokens/purchases/", "/tokens/purchases"})
    @ProblemTitle("Failed to load purchases")
    public List<PurchaseView> purchases(
            HttpServletRequest request, @RequestParam(name = "limit", required = false) Integer limit) {
        UserId user = user(request);
        int size = limit == null ? DEFAULT_PURCHASES_LIMIT : limit;
        if (size < 1 || size > MAX_PURCHASES_LIMIT) {
            throw new InvalidRequestException(
                    "limit", "must be between 1 and " + MAX_PURCHASES_LIMIT + ", was " + size);
        }
        return service.purchases().query(PurchaseQuery.all(size).forUser(user)).stream()
                .map(PurchaseView::of)
                .toList();
    }

    /** One of the caller's purchases: what the page polls after paying until it is {@code completed}. */
    @GetMapping({"/tokens/purchases/{id}/", "/tokens/purchases/{id}"})
    @ProblemTitle("Failed to load purchase")
    public PurchaseView purchaseStatus(HttpServletRequest request, @PathVariable("id") long id) {
        return PurchaseView.of(service.purchases().get(user(request), id));
    }

    /** Cancels one of the caller's open purchases (the modal was closed without paying). */
    @PostMapping({"/tokens/purchases/{id}/cancel/", "/tokens/purchases/{id}/cancel"})
    @ProblemTitle("Failed to cancel purchase")
    public PurchaseView cancel(HttpServletRequest request, @PathVariable("id") long id) {
        return PurchaseView.of(service.purchases().cancel(user(request), id));
    }

    /** The caller's ledger, newest first, a page at a time. */
    @GetMapping({"/tokens/transactions/", "/tokens/transactions"})
    @ProblemTitle("Failed to load token transactions")
    public TransactionPage transactions(
            HttpServletRequest request,
            @RequestParam(name = "limit", required = false) Integer limit,
            @RequestParam(name = "cursor", required = false) String cursor) {
        UserId user = user(request);
        int size = limit == null ? transactionsPageSize : limit;
        PageRequest page =
                cursor == null || cursor.isBlank() ? PageRequest.first(size) : PageRequest.after(cursor, size);
        return TransactionPage.of(service.ledger().history(user, page));
    }

    /** Starts buying a package through Stripe Checkout: a pending purchase and the session to send the browser to. */
    @PostMapping({"/tokens/checkout/", "/tokens/checkout"})
    @ProblemTitle(value = "Failed to start checkout", example = "{\"package\": \"booster-500k\"}")
    public PackCheckoutStarted packCheckout(
            HttpServletRequest request, @RequestBody(required = false) PackCheckoutRequest body) {
        UserId user = user(request);
        String slug = body == null ? null : body.packageSlug();
        if (slug == null || slug.isBlank()) {
            throw new InvalidRequestException("package", "is required, e.g. {\"package\": \"booster-500k\"}");
        }
        if (slug.length() > MAX_SLUG_LENGTH || slug.indexOf('\0') >= 0) {
            throw new UnknownPackageException(slug);
        }
        String successUrl = returnUrl(request, "successUrl", body.successUrl(), CHECKOUT_SUCCESS_QUERY);
        String cancelUrl = returnUrl(request, "cancelUrl", body.cancelUrl(), CHECKOUT_CANCELED_QUERY);
        CheckoutSession session;
        try {
            session = service.purchases().startCheckout(user, slug, successUrl, cancelUrl);
        } catch (RuntimeException e) {
            metrics.get().purchaseStartFailed(slug, codeOf(e));
            throw e;
        }
        LOG.info(
                "Purchase {} of '{}' started by user {} through Checkout ({})",
                session.purchaseId().map(String::valueOf).orElse("?"),
                slug,
                user,
                session.id());
        return PackCheckoutStarted.of(session);
    }

    /** The subscription tiers on sale, the free one included, in display order. Public: no user needed. */
    @GetMapping({"/tiers/", "/tiers"})
    @ProblemTitle("Failed to load subscription tiers")
    public List<TierView> tiers() {
        return service.subscriptions().tiers().stream().map(TierView::of).toList();
    }

    /**
     * The caller's tier, latest subscription, allowance left and its reset; grants the free tier's
     * allowance of the month first when the caller is on the free tier.
     */
    @GetMapping({"/subscription/", "/subscription"})
    @ProblemTitle("Failed to load subscription")
    public SubscriptionOverviewView subscription(HttpServletRequest request) {
        return SubscriptionOverviewView.of(service.subscriptions().overview(user(request)));
    }

    /** Starts subscribing the caller to a tier through Stripe Checkout: the session to send the browser to. */
    @PostMapping({"/subscription/checkout/", "/subscription/checkout"})
    @ProblemTitle(
            value = "Failed to start subscription checkout",
            example = "{\"tier\": \"plus\", \"interval\": \"month\"}")
    public CheckoutStarted subscriptionCheckout(
            HttpServletRequest request, @RequestBody(required = false) SubscriptionCheckoutRequest body) {
        UserId user = user(request);
        String tier = body == null ? null : body.tier();
        if (tier == null || tier.isBlank()) {
            throw new InvalidRequestException(
                    "tier", "is required, e.g. {\"tier\": \"plus\", \"interval\": \"month\"}");
        }
        if (tier.length() > MAX_SLUG_LENGTH || tier.indexOf('\0') >= 0) {
            throw unknownTier(tier);
        }
        BillingInterval interval = interval(body.interval());
        String successUrl = returnUrl(request, "successUrl", body.successUrl(), CHECKOUT_SUCCESS_QUERY);
        String cancelUrl = returnUrl(request, "cancelUrl", body.cancelUrl(), CHECKOUT_CANCELED_QUERY);
        CheckoutSession session = service.subscriptions().checkout(user, tier, interval, successUrl, cancelUrl);
        LOG.info(
                "Subscription checkout of '{}' per {} started by user {} ({})",
                tier,
                interval.wireName(),
                user,
                session.id());
        return CheckoutStarted.of(session);
    }

    /** A Stripe Customer Portal session where the caller changes card, switches tier or cancels. */
    @PostMapping({"/subscription/portal/", "/subscription/portal"})
    @ProblemTitle(value = "Failed to open billing portal", example = "{\"returnUrl\": \"https://example.com/billing\"}")
    public PortalView portal(HttpServletRequest request, @RequestBody(required = false) PortalRequest body) {
        UserId user = user(request);
        String returnUrl = returnUrl(request, "returnUrl", body == null ? null : body.returnUrl(), null);
        return new PortalView(service.subscriptions().portal(user, returnUrl));
    }

    /** Cancels the caller's current subscription at its period's end; the allowance stays until then. */
    @PostMapping({"/subscription/cancel/", "/subscription/cancel"})
    @ProblemTitle("Failed to cancel subscription")
    public SubscriptionView cancelSubscription(HttpServletRequest request) {
        return SubscriptionView.of(service.subscriptions().cancelAtPeriodEnd(user(request)));
    }

    /** Undoes a cancellation at the period's end, before the period ends. */
    @PostMapping({"/subscription/resume/", "/subscription/resume"})
    @ProblemTitle("Failed to resume subscription")
    public SubscriptionView resumeSubscription(HttpServletRequest request) {
        return SubscriptionView.of(service.subscriptions().resume(user(request)));
    }

    /**
     * The caller's auto-recharge: the rule ({@code null} without one), saved cards, latest recharges, the
     * recharge waiting for the caller to authenticate ({@code actionNeeded}, with the client secret for
     * Stripe.js) and the low-balance alert.
     */
    @GetMapping({"/recharge/", "/recharge"})
    @ProblemTitle("Failed to load auto-recharge")
    public RechargeOverviewView recharge(HttpServletRequest request) {
        UserId user = user(request);
        // Without Stripe there are no saved cards and nothing to authenticate; the rest is read from the database.
        List<SavedCard> cards = paymentsConfigured ? service.recharge().cards(user) : List.of();
        return RechargeOverviewView.of(
                service.recharge().rule(user),
                cards,
                service.recharge().attempts(user, RECHARGE_ATTEMPTS_SHOWN),
                paymentsConfigured ? service.recharge().actionNeeded(user) : java.util.Optional.empty(),
                service.ledger().lowBalanceAlert(user));
    }

    /** Creates or replaces the caller's auto-recharge rule, running; needs a saved card. */
    @PutMapping({"/recharge/", "/recharge"})
    @ProblemTitle(value = "Failed to set up auto-recharge", example = RECHARGE_EXAMPLE)
    public RechargeRuleView setRecharge(
            HttpServletRequest request, @RequestBody(required = false) RechargeRequest body) {
        UserId user = user(request);
        String slug = body == null ? null : body.packageSlug();
        if (slug == null || slug.isBlank()) {
            throw new InvalidRequestException("package", "is required, e.g. " + RECHARGE_EXAMPLE);
        }
        if (slug.length() > MAX_SLUG_LENGTH || slug.indexOf('\0') >= 0) {
            throw new UnknownPackageException(slug);
        }
        if (body.threshold() == null) {
            throw new InvalidRequestException("threshold", "is required, e.g. " + RECHARGE_EXAMPLE);
        }
        RechargeSettings settings = RechargeSettings.of(slug, body.threshold());
        if (body.maxPerMonth() != null) {
            settings = settings.withMaxPerMonth(body.maxPerMonth());
        }
        if (body.maxAmountPerMonth() != null) {
            settings = settings.withMaxAmountPerMonth(body.maxAmountPerMonth());
        }
        if (body.paymentMethod() != null && !body.paymentMethod().isBlank()) {
            settings = settings.withPaymentMethod(stripeId("paymentMethod", body.paymentMethod()));
        }
        RechargeRuleView rule = RechargeRuleView.of(service.recharge().setRule(user, settings));
        LOG.info("Auto-recharge of '{}' below {} tokens set by user {}", slug, body.threshold(), user);
        return rule;
    }

    /** Pauses the caller's auto-recharge rule. */
    @PostMapping({"/recharge/pause/", "/recharge/pause"})
    @ProblemTitle("Failed to pause auto-recharge")
    public RechargeRuleView pauseRecharge(HttpServletRequest request) {
        return RechargeRuleView.of(service.recharge().pause(user(request)));
    }

    /** Resumes the caller's paused auto-recharge rule, failures reset. */
    @PostMapping({"/recharge/resume/", "/recharge/resume"})
    @ProblemTitle("Failed to resume auto-recharge")
    public RechargeRuleView resumeRecharge(HttpServletRequest request) {
        return RechargeRuleView.of(service.recharge().resume(user(request)));
    }

    /** Turns the caller's auto-recharge off: {@code 204}, also when it was not on. */
    @DeleteMapping({"/recharge/", "/recharge"})
    @ProblemTitle("Failed to turn off auto-recharge")
    public ResponseEntity<Void> removeRecharge(HttpServletRequest request) {
        service.recharge().removeRule(user(request));
        return ResponseEntity.noContent().build();
    }

    /** Starts saving a card without buying: a SetupIntent whose client secret Stripe.js confirms. */
    @PostMapping({"/recharge/cards/", "/recharge/cards"})
    @ProblemTitle("Failed to start saving a card")
    public CardSetupView saveCard(HttpServletRequest request) {
        return CardSetupView.of(service.recharge().saveCard(user(request)));
    }

    /** Removes one of the caller's saved cards; a rule that pays with it is paused. */
    @DeleteMapping({"/recharge/cards/{id}/", "/recharge/cards/{id}"})
    @ProblemTitle("Failed to remove card")
    public ResponseEntity<Void> removeCard(HttpServletRequest request, @PathVariable("id") String id) {
        service.recharge().removeCard(user(request), stripeId("id", id));
        return ResponseEntity.noContent().build();
    }

    /** Sets the caller's low-balance alert: a {@code balance.low} billing event each time the balance falls below it. */
    @PutMapping({"/alerts/low-balance/", "/alerts/low-balance"})
    @ProblemTitle(value = "Failed to set low-balance alert", example = "{\"threshold\": 10000}")
    public LowBalanceAlertView setLowBalanceAlert(
            HttpServletRequest request, @RequestBody(required = false) LowBalanceAlertView body) {
        UserId user = user(request);
        if (body == null || body.threshold() == null) {
            throw new InvalidRequestException("threshold", "is required, e.g. {\"threshold\": 10000}");
        }
        service.ledger().setLowBalanceAlert(user, body.threshold());
        return new LowBalanceAlertView(body.threshold());
    }

    /** Removes the caller's low-balance alert: {@code 204}, also when none was set. */
    @DeleteMapping({"/alerts/low-balance/", "/alerts/low-balance"})
    @ProblemTitle("Failed to remove low-balance alert")
    public ResponseEntity<Void> clearLowBalanceAlert(HttpServletRequest request) {
        service.ledger().clearLowBalanceAlert(user(request));
        return ResponseEntity.noContent().build();
    }

    /** A Stripe object id from the request: short and printable, or refused before Stripe sees it. */
    private static String stripeId(String field, String id) {
        if (id.length() > MAX_STRIPE_ID_LENGTH || !id.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new InvalidRequestException(field, "is not a Stripe id: '" + ProblemText.echo(id) + "'");
        }
        return id;
    }

    private UserId user(HttpServletRequest request) {
        return users.resolve(request).orElseThrow(NotAuthenticatedException::new);
    }

    /** {@code month} (also when absent) or {@code year}. */
    private static BillingInterval interval(String interval) {
        if (interval == null || interval.isBlank()) {
            return BillingInterval.MONTH;
        }
        for (BillingInterval known : BillingInterval.values()) {
            if (known.wireName().equals(interval)) {
                return known;
            }
        }
        throw new InvalidRequestException(
                "interval", "must be 'month' or 'year', was '" + ProblemText.echo(interval) + "'");
    }

    private static BillingException unknownTier(String slug) {
        // No tier has such a slug, and PostgreSQL could not even compare one with a NUL.
        return new BillingException(
                BillingError.UNKNOWN_TIER, "Unknown subscription tier '" + ProblemText.echo(slug) + "'");
    }

    /**
     * The URL the caller gave (billing-core checks it is an absolute http(s) one), or the billing page
     * on the request's origin and context path ({@code billing.web.return-path}) with {@code query}.
     */
    private String returnUrl(HttpServletRequest request, String field, String given, String query) {
        if (given != null && !given.isBlank()) {
            if (given.length() > MAX_URL_LENGTH) {
                throw new InvalidRequestException(field, "must be at most " + MAX_URL_LENGTH + " characters");
            }
            return given;
        }
        String page = ServletUriComponentsBuilder.fromContextPath(request)
                .path(returnPath)
                .build()
                .toUriString();
        return query == null ? page : page + "?" + query;
    }

    /** Maps every failure of this controller to a problem detail titled with the operation's message. */
    @ExceptionHandler(Exception.class)
    public ResponseEntity<ProblemDetail> handle(
            Exception exception, HandlerMethod handler, HttpServletRequest request) {
        ProblemTitle title = handler == null ? null : handler.getMethodAnnotation(ProblemTitle.class);
        Problem problem = exception instanceof HttpMessageNotReadableException && title != null
                ? unreadable(title.example())
                : problemOf(exception);
        ProblemDetail body = ProblemDetail.forStatusAndDetail(
                problem.status(), ProblemText.cap(problem.detail(), ProblemText.MAX_DETAIL_LENGTH));
        body.setTitle(title == null ? "Billing request failed" : title.value());
        body.setInstance(ProblemText.instance(request));
        body.setProperty("code", problem.code());
        if (exception instanceof InvalidRequestException invalid) {
            body.setProperty("field", invalid.field());
        }
        if (problem.status().is5xxServerError()) {
            // The caller got a plain message; the operator gets the cause (Stripe's or the database's words) here.
            LOG.warn(
                    "{} {} answered {} {}: {}",
                    request.getMethod(),
                    ProblemText.cap(request.getRequestURI(), ProblemText.MAX_INSTANCE_LENGTH),
                    problem.status().value(),
                    problem.code(),
                    operatorDetail(exception),
                    problem.status().value() == 500 ? exception : null);
        }
        return ResponseEntity.status(problem.status()).body(body);
    }

    private static Problem problemOf(Exception e) {
        if (e instanceof BillingException billing) {
            return problemOf(billing);
        }
        if (e instanceof NotAuthenticatedException) {
            return new Problem(
                    HttpStatus.UNAUTHORIZED, "not_authenticated", "Sign in first: this needs an authenticated user");
        }
        if (e instanceof HttpMessageNotReadableException) {
            return unreadable(ProblemTitle.PURCHASE_EXAMPLE);
        }
        if (e instanceof MethodArgumentTypeMismatchException mismatch) {
            return new Problem(
                    HttpStatus.BAD_REQUEST,
                    "invalid_request",
                    mismatch.getName() + ": '" + ProblemText.echo(mismatch.getValue()) + "' is not a valid value");
        }
        if (e instanceof ErrorResponse spring) {
            HttpStatusCode status = spring.getStatusCode();
            return new Problem(
                    HttpStatus.valueOf(status.value()),
                    status.value() == HttpStatus.UNSUPPORTED_MEDIA_TYPE.value()
                            ? "unsupported_media_type"
                            : "invalid_request",
                    Objects.requireNonNullElse(spring.getBody().getDetail(), e.getMessage()));
        }
        return new Problem(
                HttpStatus.INTERNAL_SERVER_ERROR, "internal_error", "Unexpected server error; see the server log");
    }

    /**
     * Every library error, by its code: the status, the API's {@code code} and the {@code detail}.
     * A {@code 4xx} detail is billing-core's message, which quotes at most a short prefix of a request
     * value, or a plain one; a {@code 5xx} detail is always a plain message, the cause goes to the log.
     * The switch has no default: a code billing-core adds does not compile until it is mapped here.
     */
    static Problem problemOf(BillingException e) {
        return switch (e.code()) {
            case INVALID_REQUEST -> new Problem(HttpStatus.BAD_REQUEST, "invalid_request", e.getMessage());
            // The slug is the caller's: quoted, not repeated in full.
            case UNKNOWN_PACKAGE ->
                new Problem(
                        HttpStatus.NOT_FOUND,
                        "unknown_package",
                        e instanceof UnknownPackageException unknown
                                ? "Unknown token package '" + ProblemText.echo(unknown.slug()) + "'"
                                : e.getMessage());
            // Another user's purchase is answered like one that does not exist.
            case UNKNOWN_PURCHASE -> new Problem(HttpStatus.NOT_FOUND, "unknown_purchase", e.getMessage());
            case PACKAGE_INACTIVE -> new Problem(HttpStatus.CONFLICT, "package_inactive", e.getMessage());
            case TOO_MANY_OPEN_PURCHASES ->
                new Problem(
                        HttpStatus.TOO_MANY_REQUESTS,
                        "too_many_open_purchases",
                        "Too many purchases are still open; finish or cancel one first");
            case UNKNOWN_RESERVATION -> new Problem(HttpStatus.NOT_FOUND, "unknown_reservation", e.getMessage());
            case UNKNOWN_TIER -> new Problem(HttpStatus.NOT_FOUND, "unknown_tier", e.getMessage());
            case NO_SUBSCRIPTION -> new Problem(HttpStatus.NOT_FOUND, "no_subscription", e.getMessage());
            case TIER_NOT_AVAILABLE -> new Problem(HttpStatus.CONFLICT, "tier_not_available", e.getMessage());
            case ALREADY_SUBSCRIBED -> new Problem(HttpStatus.CONFLICT, "already_subscribed", e.getMessage());
            case SPEND_LIMIT_REACHED ->
                new Problem(HttpStatus.TOO_MANY_REQUESTS, "spend_limit_reached", e.getMessage());
            case RESERVATION_NOT_ACTIVE -> new Problem(HttpStatus.CONFLICT, "reservation_not_active", e.getMessage());
            case INSUFFICIENT_TOKENS -> new Problem(HttpStatus.CONFLICT, "insufficient_tokens", e.getMessage());
            case IDEMPOTENCY_CONFLICT -> new Problem(HttpStatus.CONFLICT, "idempotency_conflict", e.getMessage());
            case PACKAGE_NOT_SYNCED ->
                new Problem(
                        HttpStatus.SERVICE_UNAVAILABLE,
                        "package_not_synced",
                        "This package cannot be bought yet, please try again later");
            case PAYMENTS_NOT_CONFIGURED ->
                new Problem(
                        HttpStatus.SERVICE_UNAVAILABLE,
                        "payments_not_configured",
                        "Payments are not available on this server");
            // Stripe's text names customers, request ids and configuration: the log has it, the caller gets a stable
            // code.
            case PAYMENT_PROVIDER ->
                e.retryable()
                        ? new Problem(
                                HttpStatus.SERVICE_UNAVAILABLE,
                                PAYMENT_PROVIDER_UNAVAILABLE,
                                PAYMENT_PROVIDER_UNAVAILABLE_MESSAGE)
                        : new Problem(HttpStatus.BAD_GATEWAY, PAYMENT_PROVIDER_ERROR, PAYMENT_PROVIDER_ERROR_MESSAGE);
            // The cause may name hosts and ports: it goes to the log, not to the browser.
            case STORE_UNAVAILABLE ->
                new Problem(
                        HttpStatus.SERVICE_UNAVAILABLE,
                        "database_unavailable",
                        "The billing database is unavailable; try again shortly");
            case SCHEMA_NOT_MIGRATED, INVALID_CONFIGURATION ->
                new Problem(
                        HttpStatus.INTERNAL_SERVER_ERROR,
                        "billing_error",
                        "The billing request failed, please try again later");
        };
    }

    private static String codeOf(RuntimeException e) {
        return problemOf(e).code();
    }

    /** What the log says of a failure the caller was answered a plain message for. */
    private static String operatorDetail(Exception e) {
        if (e instanceof PaymentProviderException provider) {
            return "Stripe " + provider.reason() + " " + provider.providerCode()
                    + (provider.retryable() ? " (retryable)" : "") + ": " + provider.getMessage();
        }
        if (e instanceof BillingException billing) {
            return billing.code() + (billing.retryable() ? " (retryable)" : "") + ": " + billing.getMessage();
        }
        return e.toString();
    }

    /** A body that is not JSON, or not the JSON the endpoint reads (an object where a text belongs...). */
    private static Problem unreadable(String example) {
        return new Problem(
                HttpStatus.BAD_REQUEST,
                "invalid_request",
                "The request body is not valid JSON; expected e.g. " + example);
    }

    /** What a failure is answered with: the status, the API's {@code code}, and the {@code detail}. */
    record Problem(HttpStatus status, String code, String detail) {}

    /** The API's user-facing message for an operation: the {@code title} of its problem details. */
    @Target(ElementType.METHOD)
    @Retention(RetentionPolicy.RUNTIME)
    public @interface ProblemTitle {
        /** The body a malformed request of {@code POST /tokens/purchase/} is shown as an example. */
        String PURCHASE_EXAMPLE = "{\"package_slug\": \"booster-500k\"}";

        String value();

        /** An example of the operation's request body, shown when the body cannot be read. */
        String example() default PURCHASE_EXAMPLE;
    }

    /** No user could be resolved for the request: 401. */
    static final class NotAuthenticatedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NotAuthenticatedException() {
            super("not authenticated", null, false, false);
        }
    }
}
