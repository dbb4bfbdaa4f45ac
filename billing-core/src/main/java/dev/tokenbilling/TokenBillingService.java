package dev.tokenbilling;

import dev.tokenbilling.internal.Validate;
import dev.tokenbilling.model.LedgerEntry;
import dev.tokenbilling.model.LedgerEntryKind;
import dev.tokenbilling.model.LedgerReceipt;
import dev.tokenbilling.model.PackageDefinition;
import dev.tokenbilling.model.PackageSaveResult;
import dev.tokenbilling.model.Page;
import dev.tokenbilling.model.PageRequest;
import dev.tokenbilling.model.Purchase;
import dev.tokenbilling.model.PurchaseQuery;
import dev.tokenbilling.model.TokenBalance;
import dev.tokenbilling.model.TokenPackage;
import dev.tokenbilling.model.UsageReceipt;
import dev.tokenbilling.model.UsageRequest;
import dev.tokenbilling.model.UsageResult;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.internal.AfterCommit;
import dev.tokenbilling.internal.PurchaseTransitions;
import dev.tokenbilling.spi.BillingListener;
import dev.tokenbilling.model.PurchaseIntent;
import dev.tokenbilling.model.PurchaseStatus;
import dev.tokenbilling.model.WebhookEventQuery;
import dev.tokenbilling.model.WebhookEventRecord;
import dev.tokenbilling.model.WebhookEventStatus;
import dev.tokenbilling.spi.BillingStore;
import dev.tokenbilling.spi.NewPurchase;
import dev.tokenbilling.spi.PackageSync;
import dev.tokenbilling.spi.PaymentGateway;
import dev.tokenbilling.spi.PaymentIntentRequest;
import dev.tokenbilling.spi.PaymentIntentSnapshot;
import dev.tokenbilling.spi.StripeCustomerResolver;
import dev.tokenbilling.model.ExpiryReport;
import dev.tokenbilling.model.LotTerms;
import dev.tokenbilling.model.Reservation;
import dev.tokenbilling.model.ReservationStatus;
import dev.tokenbilling.model.TokenLot;
import dev.tokenbilling.spi.ReservationRepository;
import java.time.Duration;
import java.time.Instant;
import dev.tokenbilling.spi.LedgerPosting;
import dev.tokenbilling.spi.PostingResult;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The library's facade: the package catalog, purchases, balances, usage debits, admin credits and
 * the ledger. Thread-safe; get it from {@link TokenBilling#service()}.
 *
 * <p>Every method either completes its change in one database transaction together with its
 * ledger entry, or throws and changes nothing.
 */
public final class TokenBillingService {

    /** The largest {@link #consumeBatch} accepted in one call. */
    public static final int MAX_BATCH_SIZE = 10_000;

    private final BillingStore store;
    private final Clock clock;
    private final Optional<PaymentGateway> gateway;
    private final StripeCustomerResolver customers;
    private final PurchaseTransitions transitions;
    private final List<BillingListener> listeners;

    TokenBillingService(BillingStore store, Clock clock, Optional<PaymentGateway> gateway, StripeCustomerResolver customers,
            PurchaseTransitions transitions, List<BillingListener> listeners) {
        this.store = store;
        this.clock = clock;
        this.gateway = gateway;
        this.customers = customers;
        this.transitions = transitions;
        this.listeners = List.copyOf(listeners);
    }

    private void notifyPosted(PostingResult result, boolean credit) {
        if (result instanceof PostingResult.Posted posted && !listeners.isEmpty()) {
            AfterCommit.notifyAll(listeners, listener -> {
                if (credit) {
                    listener.tokensCredited(posted.entry());
                } else {
                    listener.tokensDebited(posted.entry());
                }
            });
        }
    }

    // ---- catalog ---------------------------------------------------------------------------

    /** Active packages in display order: what a "Buy More Tokens" modal shows. */
    public List<TokenPackage> packages() {
        return store.packages().list(false);
    }

    /** Every package, inactive ones included, in display order. */
    public List<TokenPackage> allPackages() {
        return store.packages().list(true);
    }

    public Optional<TokenPackage> findPackage(String slug) {
        return store.packages().findBySlug(Validate.notNull("slug", slug));
    }

    /** The package with this slug, or {@link UnknownPackageException}. */
    public TokenPackage packageBySlug(String slug) {
        return findPackage(slug).orElseThrow(() -> new UnknownPackageException(slug));
    }

    /**
     * Creates the package with the definition's slug, or updates it to match; reports what it did.
     * Saving the same definition again reports {@code UNCHANGED} and writes nothing. A changed price
     * keeps the old Stripe ids until the Stripe sync replaces the price.
     */
    public PackageSaveResult savePackage(PackageDefinition definition) {
        Validate.notNull("definition", definition);
        return store.inTransaction(tx -> {
            Optional<TokenPackage> existing = tx.packages().findBySlugForUpdate(definition.slug());
            if (existing.isEmpty()) {
                return new PackageSaveResult(PackageSaveResult.Change.CREATED, tx.packages().insert(definition, clock.instant()));
            }
            if (definition.matches(existing.get())) {
                return new PackageSaveResult(PackageSaveResult.Change.UNCHANGED, existing.get());
            }
            return new PackageSaveResult(PackageSaveResult.Change.UPDATED,
                    tx.packages().update(existing.get().id(), definition, clock.instant()));
        });
    }

    // ---- balances and ledger ---------------------------------------------------------------

    /** The user's balance and totals; all zero for a user the library has never seen. */
    public TokenBalance balance(UserId userId) {
        return store.ledger().balance(Validate.notNull("userId", userId));
    }

    /** Users by balance, highest first; with {@code negativeOnly}, those below zero, lowest first. */
    public List<TokenBalance> balances(int limit, boolean negativeOnly) {
        if (limit < 1 || limit > PurchaseQuery.MAX_LIMIT) {
            throw new InvalidRequestException("limit", "must be between 1 and " + PurchaseQuery.MAX_LIMIT + ", was " + limit);
        }
        return store.ledger().balances(limit, negativeOnly);
    }

    /**
     * Debits {@code tokens} of usage exactly once per {@code idempotencyKey}: a repeated key returns
     * the original receipt (marked replayed) and debits nothing. The balance never goes below zero
     * through usage.
     *
     * @throws InsufficientTokensException when fewer tokens are available; carries the available count
     * @throws IdempotencyConflictException when the key was used for a different debit
     */
    public UsageReceipt consume(UserId userId, long tokens, String idempotencyKey, String description) {
        LedgerPosting posting = usagePosting(new UsageRequest(Validate.notNull("userId", userId), tokens, idempotencyKey, description));
        PostingResult result = store.ledger().debit(posting);
        if (result instanceof PostingResult.Posted posted) {
            notifyPosted(result, false);
            return new UsageReceipt(posted.entry(), false);
        }
        if (result instanceof PostingResult.Duplicate duplicate) {
            return new UsageReceipt(checkReplay(duplicate.original(), posting, -tokens), true);
        }
        throw new InsufficientTokensException(userId, tokens, ((PostingResult.Insufficient) result).available());
    }

    /**
     * Debits many usages in one transaction: for high-rate metering (an AI gateway recording usage
     * per request). Each item gets the guarantees of {@link #consume} and its own result, in the
     * order given; an invalid or unaffordable item is reported, not thrown, and does not stop the
     * others.
     */
    public List<UsageResult> consumeBatch(List<UsageRequest> requests) {
        Validate.notNull("requests", requests);
        if (requests.size() > MAX_BATCH_SIZE) {
            throw new InvalidRequestException("requests", "at most " + MAX_BATCH_SIZE + " per batch, was " + requests.size());
        }
        UsageResult[] results = new UsageResult[requests.size()];
        List<LedgerPosting> postings = new ArrayList<>();
        List<Integer> positions = new ArrayList<>();
        for (int i = 0; i < requests.size(); i++) {
            UsageRequest request = requests.get(i);
            try {
                postings.add(usagePosting(Validate.notNull("requests[" + i + "]", request)));
                positions.add(i);
            } catch (InvalidRequestException e) {
                results[i] = UsageResult.rejected(request, e.getMessage());
            }
        }
        List<PostingResult> posted = store.ledger().debitAll(postings);
        for (int p = 0; p < posted.size(); p++) {
            int i = positions.get(p);
            UsageRequest request = requests.get(i);
            PostingResult result = posted.get(p);
            if (result instanceof PostingResult.Posted done) {
                notifyPosted(done, false);
                results[i] = UsageResult.of(request, new UsageReceipt(done.entry(), false));
            } else if (result instanceof PostingResult.Duplicate duplicate) {
                results[i] = replayResult(request, duplicate.original(), postings.get(p));
            } else {
                results[i] = UsageResult.insufficient(request, ((PostingResult.Insufficient) result).available());
            }
        }
        return List.of(results);
    }

    private UsageResult replayResult(UsageRequest request, LedgerEntry original, LedgerPosting posting) {
        try {
            return UsageResult.of(request, new UsageReceipt(checkReplay(original, posting, -posting.tokens()), true));
        } catch (IdempotencyConflictException e) {
            return UsageResult.rejected(request, e.getMessage());
        }
    }

    private LedgerPosting usagePosting(UsageRequest request) {
        Validate.notNull("userId", request.userId());
        Validate.positiveTokens("tokens", request.tokens());
        return LedgerPosting.of(request.userId(), LedgerEntryKind.USAGE, request.tokens(),
                Validate.idempotencyKey(request.idempotencyKey()), Validate.text("description", request.description()), clock.instant());
    }

    /** Credits tokens outside a purchase (promotions, support gestures), once per idempotency key; they never expire. */
    public LedgerReceipt grant(UserId userId, long tokens, String reason, String idempotencyKey) {
        return grant(userId, tokens, reason, idempotencyKey, LotTerms.DEFAULT);
    }

    /**
     * Credits tokens as a lot on {@code terms}: an expiry (the tokens lapse then) and a draw priority
     * (lower is spent first). Once per idempotency key.
     */
    public LedgerReceipt grant(UserId userId, long tokens, String reason, String idempotencyKey, LotTerms terms) {
        Validate.notNull("userId", userId);
        Validate.positiveTokens("tokens", tokens);
        Validate.notNull("terms", terms).requireFutureExpiry(clock.instant());
        LedgerPosting posting = LedgerPosting.of(userId, LedgerEntryKind.GRANT, tokens,
                Validate.idempotencyKey(idempotencyKey), Validate.requiredText("reason", reason), clock.instant()).withLot(terms);
        PostingResult result = store.ledger().credit(posting);
        notifyPosted(result, true);
        return receipt(result, posting, tokens, userId);
    }

    /** The user's open lots in the order debits draw from them. */
    public List<TokenLot> lots(UserId userId) {
        return store.ledger().lots(Validate.notNull("userId", userId), true);
    }

    /** All the user's lots, spent, expired and voided ones last. */
    public List<TokenLot> allLots(UserId userId) {
        return store.ledger().lots(Validate.notNull("userId", userId), false);
    }

    /**
     * Removes what remains of a grant, with a {@code void} ledger entry; tokens held by active
     * reservations stay until those end. Returns the tokens voided.
     *
     * @throws InvalidRequestException when the lot is not a grant of this user
     */
    public long voidGrant(UserId userId, long lotId, String reason) {
        Validate.notNull("userId", userId);
        Validate.requiredText("reason", reason);
        TokenLot lot = store.ledger().findLot(lotId).filter(l -> l.userId().equals(userId))
                .orElseThrow(() -> new InvalidRequestException("lotId", "user " + userId + " has no lot " + lotId));
        if (!lot.source().equals("grant")) {
            throw new InvalidRequestException("lotId", "lot " + lotId + " comes from a " + lot.source() + ", only grants can be voided");
        }
        Optional<LedgerEntry> voided = store.ledger().closeLot(lotId, LedgerEntryKind.VOID, "Void: " + reason, clock.instant());
        voided.ifPresent(entry -> notifyPosted(new PostingResult.Posted(entry), false));
        return voided.map(entry -> -entry.amount()).orElse(0L);
    }

    // ---- reservations ------------------------------------------------------------------------

    /** The longest a hold may live. */
    public static final Duration MAX_RESERVATION_TTL = Duration.ofDays(7);

    /** {@link #reserve(UserId, long, Duration, String, String)} without a description. */
    public Reservation reserve(UserId userId, long maxTokens, Duration ttl, String idempotencyKey) {
        return reserve(userId, maxTokens, ttl, idempotencyKey, "");
    }

    /**
     * Holds up to {@code maxTokens} for a request in flight: the available balance drops now, the
     * ledger shows nothing until {@link #settle}. Once per idempotency key (a repeat returns the
     * same hold). The hold is released automatically after {@code ttl}.
     *
     * @throws InsufficientTokensException when fewer tokens are available
     */
    public Reservation reserve(UserId userId, long maxTokens, Duration ttl, String idempotencyKey, String description) {
        Validate.notNull("userId", userId);
        Validate.positiveTokens("maxTokens", maxTokens);
        Validate.notNull("ttl", ttl);
        if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(MAX_RESERVATION_TTL) > 0) {
            throw new InvalidRequestException("ttl", "must be positive and at most " + MAX_RESERVATION_TTL + ", was " + ttl);
        }
        Instant now = clock.instant();
        ReservationRepository.ReserveResult result = store.reservations().reserve(userId, maxTokens, Validate.idempotencyKey(idempotencyKey),
                Validate.text("description", description), now.plus(ttl), now);
        if (result instanceof ReservationRepository.ReserveResult.Reserved reserved) {
            return reserved.reservation();
        }
        if (result instanceof ReservationRepository.ReserveResult.Duplicate duplicate) {
            if (duplicate.original().amount() != maxTokens) {
                throw new IdempotencyConflictException(idempotencyKey, "first used to hold " + duplicate.original().amount()
                        + " tokens, now " + maxTokens);
            }
            return duplicate.original();
        }
        throw new InsufficientTokensException(userId, maxTokens, ((ReservationRepository.ReserveResult.Insufficient) result).available());
    }

    /**
     * Debits the real count ({@code actualTokens} ≤ the held amount, 0 allowed) and releases the rest.
     * A hold ends exactly once: settling it again, or after it expired, throws.
     *
     * @throws ReservationNotActiveException when it was already settled, released or expired
     */
    public Reservation settle(long reservationId, long actualTokens) {
        Reservation reservation = reservation(reservationId);
        if (actualTokens < 0 || actualTokens > reservation.amount()) {
            throw new InvalidRequestException("actualTokens", "must be between 0 and the " + reservation.amount() + " tokens held, was "
                    + actualTokens);
        }
        return finish(reservation, ReservationStatus.SETTLED, actualTokens);
    }

    /** Frees a hold without debiting anything. */
    public Reservation release(long reservationId) {
        return finish(reservation(reservationId), ReservationStatus.RELEASED, 0);
    }

    private Reservation finish(Reservation reservation, ReservationStatus ending, long actualTokens) {
        ReservationRepository.FinishResult result = store.reservations().finish(reservation.id(), ending, actualTokens,
                reservation.description(), clock.instant());
        if (!result.ended() || result.status() != ending) {
            throw new ReservationNotActiveException(reservation.id(), result.status());
        }
        if (result.entryId().isPresent() && !listeners.isEmpty()) {
            store.ledger().findByIdempotencyKey(reservation.userId(), "reservation-" + reservation.id())
                    .ifPresent(entry -> AfterCommit.notifyAll(listeners, listener -> listener.tokensDebited(entry)));
        }
        return reservation(reservation.id());
    }

    /** The hold with this id, or {@link UnknownReservationException}. */
    public Reservation reservation(long reservationId) {
        return store.reservations().findById(reservationId).orElseThrow(() -> new UnknownReservationException(reservationId));
    }

    /** The user's active holds. */
    public List<Reservation> reservations(UserId userId) {
        return store.reservations().active(Validate.notNull("userId", userId));
    }

    /**
     * Releases lapsed holds and takes lapsed lots out of balances (an {@code expiry} entry each),
     * at most {@code limit} of each. Exactly once and safe on several instances at the same time.
     */
    public ExpiryReport expire(int limit) {
        if (limit < 1 || limit > PurchaseQuery.MAX_LIMIT) {
            throw new InvalidRequestException("limit", "must be between 1 and " + PurchaseQuery.MAX_LIMIT + ", was " + limit);
        }
        Instant now = clock.instant();
        int released = store.reservations().expire(now, limit);
        int lots = 0;
        long tokens = 0;
        for (long lotId : store.ledger().lapsedLots(now, limit)) {
            Optional<LedgerEntry> expired = store.ledger().closeLot(lotId, LedgerEntryKind.EXPIRY, "Expired tokens", now);
            if (expired.isPresent()) {
                notifyPosted(new PostingResult.Posted(expired.get()), false);
                lots++;
                tokens += -expired.get().amount();
            }
        }
        return new ExpiryReport(lots, tokens, released);
    }

    /**
     * An admin correction of either sign, once per idempotency key. A negative adjustment cannot
     * take more than the available balance.
     *
     * @throws InsufficientTokensException when a debit exceeds the available balance
     */
    public LedgerReceipt adjust(UserId userId, long signedTokens, String reason, String idempotencyKey) {
        Validate.notNull("userId", userId);
        if (signedTokens == 0 || signedTokens == Long.MIN_VALUE) {
            throw new InvalidRequestException("tokens", "must be a non-zero number of tokens, was " + signedTokens);
        }
        LedgerPosting posting = LedgerPosting.of(userId, LedgerEntryKind.ADJUSTMENT, Math.abs(signedTokens),
                Validate.idempotencyKey(idempotencyKey), Validate.requiredText("reason", reason), clock.instant());
        PostingResult result = signedTokens > 0 ? store.ledger().credit(posting) : store.ledger().debit(posting);
        notifyPosted(result, signedTokens > 0);
        return receipt(result, posting, signedTokens, userId);
    }

    private LedgerReceipt receipt(PostingResult result, LedgerPosting posting, long signedAmount, UserId userId) {
        if (result instanceof PostingResult.Posted posted) {
            return new LedgerReceipt(posted.entry(), false);
        }
        if (result instanceof PostingResult.Duplicate duplicate) {
            return new LedgerReceipt(checkReplay(duplicate.original(), posting, signedAmount), true);
        }
        throw new InsufficientTokensException(userId, Math.abs(signedAmount), ((PostingResult.Insufficient) result).available());
    }

    private static LedgerEntry checkReplay(LedgerEntry original, LedgerPosting posting, long signedAmount) {
        if (original.kind() != posting.kind() || original.amount() != signedAmount) {
            throw new IdempotencyConflictException(posting.idempotencyKey().orElse(""),
                    "first used for " + original.kind().wireName() + " of " + original.amount()
                    + " tokens, now for " + posting.kind().wireName() + " of " + signedAmount);
        }
        return original;
    }

    /** The user's ledger, newest first, a page at a time (keyset pagination). */
    public Page<LedgerEntry> ledger(UserId userId, PageRequest page) {
        Validate.notNull("userId", userId);
        Validate.notNull("page", page);
        Optional<Long> before = page.cursor().map(TokenBillingService::decodeCursor);
        // One extra row tells whether another page follows without a count query.
        List<LedgerEntry> rows = store.ledger().history(userId, before, page.limit() + 1);
        if (rows.size() <= page.limit()) {
            return new Page<>(rows, Optional.empty());
        }
        List<LedgerEntry> items = rows.subList(0, page.limit());
        return new Page<>(items, Optional.of(encodeCursor(items.get(items.size() - 1).id())));
    }

    private static String encodeCursor(long id) {
        return Long.toString(id, 36);
    }

    private static long decodeCursor(String cursor) {
        try {
            return Long.parseLong(cursor, 36);
        } catch (NumberFormatException e) {
            throw new InvalidRequestException("cursor", "is not a cursor returned by a previous page");
        }
    }

    // ---- purchases -------------------------------------------------------------------------

    /**
     * Starts buying a package: records a pending purchase and creates its PaymentIntent (amount and
     * currency from the package; metadata with purchase id, user id, package slug and token amount;
     * an idempotency key derived from the purchase id). The tokens are credited when Stripe reports
     * the payment succeeded.
     *
     * @throws UnknownPackageException when no package has the slug
     * @throws InactivePackageException when the package is no longer on sale
     * @throws PackageNotSyncedException when the package has no Stripe price yet
     * @throws PaymentProviderException when Stripe fails; the purchase is then marked failed with the reason
     */
    public PurchaseIntent startPurchase(UserId userId, String packageSlug) {
        Validate.notNull("userId", userId);
        PaymentGateway payments = requireGateway();
        TokenPackage pack = packageBySlug(Validate.notNull("packageSlug", packageSlug));
        if (!pack.active()) {
            throw new InactivePackageException(packageSlug);
        }
        if (pack.stripePriceId().isEmpty()) {
            throw new PackageNotSyncedException(packageSlug);
        }
        Optional<String> customer = customers.customerFor(userId);
        Purchase purchase = store.purchases().insert(new NewPurchase(userId, pack.id(), pack.slug(), pack.tokenAmount(), pack.price(),
                customer, clock.instant()));
        PaymentIntentSnapshot intent;
        try {
            intent = payments.createPaymentIntent(new PaymentIntentRequest(pack.price(),
                    pack.name() + " - " + pack.tokenAmount() + " tokens",
                    Map.of("purchase_id", Long.toString(purchase.id()), "user_id", userId.value(), "package_slug", pack.slug(),
                            "token_amount", Long.toString(pack.tokenAmount())),
                    customer, "tb-purchase-" + purchase.id()));
        } catch (PaymentProviderException e) {
            store.purchases().transition(purchase.id(), PurchaseStatus.OPEN, PurchaseStatus.FAILED, Optional.of("provider_" + e.code()),
                    Optional.of(e.getMessage()), clock.instant());
            throw e;
        }
        store.purchases().attachPaymentIntent(purchase.id(), intent.id(), clock.instant());
        AfterCommit.notifyAll(listeners, listener -> listener.purchaseStarted(purchase));
        return new PurchaseIntent(purchase.id(), intent.id(), intent.clientSecret()
                .orElseThrow(() -> new PaymentProviderException("Stripe returned no client secret", "no_client_secret", true, null)),
                pack.price(), pack.tokenAmount());
    }

    /**
     * Cancels an open purchase of this user and its PaymentIntent. If Stripe reports the payment
     * succeeded in the meantime, the purchase completes instead; the result shows which.
     *
     * @throws UnknownPurchaseException when the user has no such purchase
     */
    public Purchase cancelPurchase(UserId userId, long purchaseId) {
        Purchase purchase = purchaseOf(userId, purchaseId);
        if (!purchase.status().open()) {
            return purchase;
        }
        if (purchase.paymentIntentId().isPresent()) {
            PaymentIntentSnapshot intent = requireGateway().cancelPaymentIntent(purchase.paymentIntentId().get());
            AfterCommit after = new AfterCommit();
            store.inTransaction(tx -> transitions.applyPaymentIntent(tx, purchaseId, intent, after));
            after.fire(listeners);
        } else {
            store.purchases().transition(purchaseId, PurchaseStatus.OPEN, PurchaseStatus.CANCELED, Optional.empty(), Optional.empty(),
                    clock.instant());
        }
        return store.purchases().findById(purchaseId).orElseThrow();
    }

    public Optional<Purchase> purchase(long purchaseId) {
        return store.purchases().findById(purchaseId);
    }

    /** The purchase if it belongs to this user; another user's purchase is reported as unknown. */
    public Purchase purchaseOf(UserId userId, long purchaseId) {
        Validate.notNull("userId", userId);
        return store.purchases().findById(purchaseId).filter(p -> p.userId().equals(userId))
                .orElseThrow(() -> new UnknownPurchaseException(Long.toString(purchaseId)));
    }

    // ---- Stripe catalog ----------------------------------------------------------------------

    /**
     * Makes Stripe sell every package: a Product and an active Price per package, archived for
     * inactive ones; records their ids. With {@code dryRun}, reports what would change and writes nothing.
     */
    public List<PackageSync> syncCatalogToStripe(boolean dryRun) {
        PaymentGateway payments = requireGateway();
        List<PackageSync> results = new ArrayList<>();
        for (TokenPackage pack : allPackages()) {
            PackageSync sync = payments.syncPackage(pack, dryRun);
            Optional<String> productId = sync.productId().isEmpty() ? pack.stripeProductId() : Optional.of(sync.productId());
            Optional<String> priceId = sync.priceId().isEmpty() ? pack.stripePriceId() : Optional.of(sync.priceId());
            if (!dryRun && (!productId.equals(pack.stripeProductId()) || !priceId.equals(pack.stripePriceId()))) {
                store.packages().updateStripeIds(pack.id(), productId, priceId, clock.instant());
            }
            results.add(sync);
        }
        return results;
    }

    /** How many purchases are still open after {@code olderThan}: "stuck", for health checks. */
    public long countStuckPurchases(Duration olderThan) {
        Validate.notNull("olderThan", olderThan);
        return store.purchases().countOpen(clock.instant().minus(olderThan));
    }

    // ---- webhook events ----------------------------------------------------------------------

    /** The stored Stripe event with this id. */
    public Optional<WebhookEventRecord> webhookEvent(String eventId) {
        return store.webhookEvents().findById(Validate.notNull("eventId", eventId));
    }

    /** How many stored events are in {@code status}: e.g. the failed ones, for health checks. */
    public long countWebhookEvents(WebhookEventStatus status) {
        return store.webhookEvents().count(Validate.notNull("status", status));
    }

    /** Stored Stripe events, newest first: e.g. the failed ones ("Tokens not added after payment"). */
    public List<WebhookEventRecord> webhookEvents(WebhookEventQuery query) {
        return store.webhookEvents().find(Validate.notNull("query", query));
    }

    private PaymentGateway requireGateway() {
        return gateway.orElseThrow(TokenBillingService::stripeNotConfigured);
    }

    static BillingException stripeNotConfigured() {
        return new BillingException("Stripe is not configured: build TokenBilling with .stripe(StripeSettings) (STRIPE_SECRET_KEY)");
    }

    /** Purchases matching the query, newest first: e.g. the pending ones older than 15 minutes. */
    public List<Purchase> purchases(PurchaseQuery query) {
        return store.purchases().find(Validate.notNull("query", query));
    }
}
