package dev.tokenbilling.internal.recharge;

import dev.tokenbilling.error.PaymentProviderException;
import dev.tokenbilling.hook.BillingListener;
import dev.tokenbilling.internal.AfterCommit;
import dev.tokenbilling.internal.PurchaseTransitions;
import dev.tokenbilling.model.PurchaseStatus;
import dev.tokenbilling.model.RechargeAttempt;
import dev.tokenbilling.model.RechargeRule;
import dev.tokenbilling.model.RechargeRunReport;
import dev.tokenbilling.model.RechargeStatus;
import dev.tokenbilling.model.TokenPackage;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.payment.OffSessionRequest;
import dev.tokenbilling.payment.OffSessionResult;
import dev.tokenbilling.payment.PaymentGateway;
import dev.tokenbilling.payment.PaymentIntentSnapshot;
import dev.tokenbilling.store.BillingStore;
import dev.tokenbilling.store.NewPurchase;
import dev.tokenbilling.store.RechargeRepository.MonthUsage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Buys the rule's pack for each due recharge, off-session, with the saved card:
 *
 * <ul>
 *   <li>the purchase is recorded first, on the attempt, so a worker that dies and is replaced pays
 *       for the same purchase; the PaymentIntent's idempotency key is the attempt's and its try's,
 *       so a repeat makes no second payment;</li>
 *   <li>paid: the PaymentIntent goes through the purchase transitions like a webhook would (the
 *       webhook and the reconciler later find it done), which credits the pack once and marks the
 *       attempt succeeded ({@link RechargeCompletion});</li>
 *   <li>declined: tried again later, until the rule's {@code maxFailures} pause it;</li>
 *   <li>the card needs the user: the rule is paused at once and the attempt waits for the user to
 *       confirm on-session;</li>
 *   <li>a paused or removed rule, an unsellable pack or reached monthly limits: skipped.</li>
 * </ul>
 */
public final class RechargeWorker {

    /** A processing attempt not touched for this long belongs to a worker that died. */
    static final Duration STALE = Duration.ofMinutes(2);
    /** Stripe unreachable: try again soon; it is not the card's fault. */
    static final Duration OUTAGE_PAUSE = Duration.ofMinutes(1);

    private final BillingStore store;
    private final PaymentGateway gateway;
    private final PurchaseTransitions transitions;
    private final Clock clock;
    private final List<BillingListener> listeners;
    private final Function<UserId, Optional<String>> customers;

    public RechargeWorker(
            BillingStore store,
            PaymentGateway gateway,
            PurchaseTransitions transitions,
            Clock clock,
            List<BillingListener> listeners,
            Function<UserId, Optional<String>> customers) {
        this.store = store;
        this.gateway = gateway;
        this.transitions = transitions;
        this.clock = clock;
        this.listeners = List.copyOf(listeners);
        this.customers = customers;
    }

    public RechargeRunReport runDue(int limit) {
        Instant now = clock.instant();
        int paid = 0;
        int declined = 0;
        int needsAction = 0;
        int skipped = 0;
        List<RechargeAttempt> due = store.recharges().leaseDue(now, now.minus(STALE), limit);
        for (RechargeAttempt attempt : due) {
            switch (process(attempt)) {
                case SUCCEEDED, PROCESSING -> paid++;
                case PENDING, FAILED -> declined++;
                case REQUIRES_ACTION -> needsAction++;
                case SKIPPED -> skipped++;
            }
        }
        return new RechargeRunReport(due.size(), paid, declined, needsAction, skipped);
    }

    private RechargeStatus process(RechargeAttempt attempt) {
        UserId user = attempt.userId();
        Optional<RechargeRule> rule = store.recharges().findRule(user);
        if (rule.isEmpty() || !rule.get().running()) {
            return skip(attempt, rule.isEmpty() ? "auto-recharge is off" : "the rule is paused");
        }
        Optional<TokenPackage> pack = store.packages().findBySlug(rule.get().packageSlug());
        if (pack.isEmpty() || !pack.get().purchasable()) {
            return skip(attempt, "pack " + rule.get().packageSlug() + " is not on sale");
        }
        Optional<String> customer = customers.apply(user);
        if (customer.isEmpty()) {
            return skip(attempt, "the user has no Stripe customer with a saved card");
        }
        RechargeAttempt withPurchase = attempt;
        if (attempt.purchaseId().isEmpty()) {
            MonthUsage usage = store.recharges().usageSince(user, monthStart());
            if (usage.count() >= rule.get().maxPerMonth()
                    || usage.amountMinor() + pack.get().price().minorUnits()
                            > rule.get().maxAmountPerMonth()) {
                return skip(
                        attempt,
                        "monthly limit reached (" + usage.count() + " recharges, " + usage.amountMinor()
                                + " spent this month)");
            }
            withPurchase = store.inTransaction(tx -> tx.recharges()
                    .attachPurchase(
                            user,
                            attempt.id(),
                            tx.purchases()
                                    .insert(new NewPurchase(
                                            user,
                                            pack.get().id(),
                                            pack.get().slug(),
                                            pack.get().tokenAmount(),
                                            pack.get().price(),
                                            customer,
                                            clock.instant(),
                                            pack.get().validityDays()))
                                    .id(),
                            clock.instant()));
        }
        long purchaseId = withPurchase.purchaseId().orElseThrow();
        OffSessionResult result;
        try {
            result = gateway.chargeOffSession(new OffSessionRequest(
                    pack.get().price(),
                    "Auto-recharge: " + pack.get().name() + " - " + pack.get().tokenAmount() + " tokens",
                    Map.of(
                            "purchase_id",
                            Long.toString(purchaseId),
                            "user_id",
                            user.value(),
                            "package_slug",
                            pack.get().slug(),
                            "token_amount",
                            Long.toString(pack.get().tokenAmount()),
                            RechargeCompletion.ATTEMPT_METADATA,
                            Long.toString(attempt.id())),
                    customer.get(),
                    rule.get().paymentMethodId(),
                    "tb-recharge-" + attempt.id() + "-" + attempt.tries()));
        } catch (PaymentProviderException e) {
            Instant now = clock.instant();
            store.recharges()
                    .update(
                            user,
                            attempt.id(),
                            RechargeStatus.PENDING,
                            Optional.of("Stripe: " + e.getMessage()),
                            Optional.empty(),
                            now.plus(OUTAGE_PAUSE),
                            false,
                            now);
            return RechargeStatus.PENDING;
        }
        if (result instanceof OffSessionResult.Paid paid) {
            return paid(purchaseId, paid.intent());
        }
        if (result instanceof OffSessionResult.Declined declined) {
            return declined(withPurchase, rule.get(), declined);
        }
        return needsUser(withPurchase, ((OffSessionResult.NeedsAuthentication) result).intent());
    }

    private RechargeStatus paid(long purchaseId, PaymentIntentSnapshot intent) {
        AfterCommit after = new AfterCommit();
        store.inTransaction(tx -> {
            tx.purchases().findByIdForUpdate(purchaseId).ifPresent(purchase -> {
                if (purchase.paymentIntentId().isEmpty()) {
                    tx.purchases().attachPaymentIntent(purchaseId, intent.id(), clock.instant());
                }
            });
            return transitions.applyPaymentIntent(tx, purchaseId, intent, after);
        });
        after.fire(listeners);
        return "succeeded".equals(intent.status()) ? RechargeStatus.SUCCEEDED : RechargeStatus.PROCESSING;
    }

    private RechargeStatus declined(RechargeAttempt attempt, RechargeRule rule, OffSessionResult.Declined declined) {
        Instant now = clock.instant();
        String reason = "declined: " + declined.code();
        return store.inTransaction(tx -> {
            RechargeRule counted =
                    tx.recharges().countFailure(attempt.userId(), now).orElse(rule);
            boolean exhausted = counted.failures() >= counted.maxFailures();
            failPurchase(tx, attempt, declined.code(), declined.message(), now);
            RechargeAttempt moved = tx.recharges()
                    .update(
                            attempt.userId(),
                            attempt.id(),
                            exhausted ? RechargeStatus.FAILED : RechargeStatus.PENDING,
                            Optional.of(reason),
                            declined.intent().map(PaymentIntentSnapshot::id),
                            now.plus(retryPause(attempt.tries())),
                            true,
                            now);
            if (exhausted) {
                tx.recharges().setPaused(attempt.userId(), Optional.of(reason), now);
            }
            RechargeEvents.append(tx, "recharge.failed", moved, Optional.of(reason), exhausted, now);
            return moved.status();
        });
    }

    /** A decline fails this try's purchase; a retry buys with a new purchase. */
    private void failPurchase(BillingStore tx, RechargeAttempt attempt, String code, String message, Instant now) {
        attempt.purchaseId()
                .ifPresent(id -> tx.purchases()
                        .transition(
                                id,
                                PurchaseStatus.OPEN,
                                PurchaseStatus.FAILED,
                                Optional.of(code),
                                Optional.of(message),
                                now));
        tx.recharges().clearPurchase(attempt.userId(), attempt.id());
    }

    private RechargeStatus needsUser(RechargeAttempt attempt, PaymentIntentSnapshot intent) {
        Instant now = clock.instant();
        long purchaseId = attempt.purchaseId().orElseThrow();
        return store.inTransaction(tx -> {
            tx.purchases().findByIdForUpdate(purchaseId).ifPresent(purchase -> {
                if (purchase.paymentIntentId().isEmpty()) {
                    tx.purchases().attachPaymentIntent(purchaseId, intent.id(), now);
                }
            });
            RechargeAttempt waiting = tx.recharges()
                    .update(
                            attempt.userId(),
                            attempt.id(),
                            RechargeStatus.REQUIRES_ACTION,
                            Optional.of(RechargeCompletion.NEEDS_USER),
                            Optional.of(intent.id()),
                            now,
                            false,
                            now);
            tx.recharges().setPaused(attempt.userId(), Optional.of(RechargeCompletion.NEEDS_USER), now);
            RechargeEvents.append(
                    tx, "recharge.needs_action", waiting, Optional.of(RechargeCompletion.NEEDS_USER), true, now);
            return RechargeStatus.REQUIRES_ACTION;
        });
    }

    private RechargeStatus skip(RechargeAttempt attempt, String reason) {
        Instant now = clock.instant();
        store.inTransaction(tx -> {
            RechargeAttempt skipped = tx.recharges()
                    .update(
                            attempt.userId(),
                            attempt.id(),
                            RechargeStatus.SKIPPED,
                            Optional.of(reason),
                            Optional.empty(),
                            now,
                            false,
                            now);
            RechargeEvents.append(tx, "recharge.failed", skipped, Optional.of(reason), false, now);
            return skipped;
        });
        return RechargeStatus.SKIPPED;
    }

    /** 10 minutes, 20, 40... at most 6 hours: a declined card is tried again later. */
    static Duration retryPause(int tries) {
        Duration pause = Duration.ofMinutes(10L << Math.min(tries, 6));
        return pause.compareTo(Duration.ofHours(6)) > 0 ? Duration.ofHours(6) : pause;
    }

    private Instant monthStart() {
        return YearMonth.from(clock.instant().atOffset(ZoneOffset.UTC))
                .atDay(1)
                .atStartOfDay()
                .toInstant(ZoneOffset.UTC);
    }
}
