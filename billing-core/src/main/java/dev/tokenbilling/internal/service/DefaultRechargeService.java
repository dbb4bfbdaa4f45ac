package dev.tokenbilling.internal.service;

import dev.tokenbilling.error.BillingError;
import dev.tokenbilling.error.BillingException;
import dev.tokenbilling.error.InactivePackageException;
import dev.tokenbilling.error.InvalidRequestException;
import dev.tokenbilling.error.PackageNotSyncedException;
import dev.tokenbilling.error.UnknownPackageException;
import dev.tokenbilling.internal.recharge.RechargeWorker;
import dev.tokenbilling.model.ActionNeeded;
import dev.tokenbilling.model.CardSetup;
import dev.tokenbilling.model.RechargeAttempt;
import dev.tokenbilling.model.RechargeRule;
import dev.tokenbilling.model.RechargeRunReport;
import dev.tokenbilling.model.RechargeSettings;
import dev.tokenbilling.model.RechargeStatus;
import dev.tokenbilling.model.SavedCard;
import dev.tokenbilling.model.TokenPackage;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.payment.PaymentGateway;
import dev.tokenbilling.payment.PaymentIntentSnapshot;
import dev.tokenbilling.service.RechargeService;
import dev.tokenbilling.store.RechargeRepository;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

final class DefaultRechargeService implements RechargeService {

    private final ServiceContext context;

    DefaultRechargeService(ServiceContext context) {
        this.context = context;
    }

    @Override
    public CardSetup saveCard(UserId userId) {
        Checks.notNull("userId", userId);
        PaymentGateway payments = context.requireGateway();
        return payments.createCardSetup(
                context.stripeCustomer(userId, payments), "tb-card-setup-" + userId.value() + "-" + UUID.randomUUID());
    }

    @Override
    public List<SavedCard> cards(UserId userId) {
        Checks.notNull("userId", userId);
        PaymentGateway payments = context.requireGateway();
        return context.knownCustomer(userId).map(payments::savedCards).orElse(List.of());
    }

    @Override
    public void removeCard(UserId userId, String paymentMethodId) {
        Checks.notNull("paymentMethodId", paymentMethodId);
        PaymentGateway payments = context.requireGateway();
        if (cards(userId).stream().noneMatch(card -> card.paymentMethodId().equals(paymentMethodId))) {
            throw new InvalidRequestException("paymentMethodId", "is not one of the user's saved cards");
        }
        payments.removeCard(paymentMethodId);
        context.store()
                .recharges()
                .findRule(userId)
                .filter(rule -> rule.paymentMethodId().equals(paymentMethodId))
                .ifPresent(rule -> context.store()
                        .recharges()
                        .setPaused(
                                userId,
                                Optional.of("card removed"),
                                context.clock().instant()));
    }

    @Override
    public RechargeRule setRule(UserId userId, RechargeSettings settings) {
        Checks.notNull("userId", userId);
        Checks.notNull("settings", settings);
        TokenPackage pack = context.store()
                .packages()
                .findBySlug(settings.packageSlug())
                .orElseThrow(() -> new UnknownPackageException(settings.packageSlug()));
        if (!pack.active()) {
            throw new InactivePackageException(pack.slug());
        }
        if (pack.stripePriceId().isEmpty()) {
            throw new PackageNotSyncedException(pack.slug());
        }
        List<SavedCard> cards = cards(userId);
        String card = settings.paymentMethodId()
                .or(() -> cards.stream().findFirst().map(SavedCard::paymentMethodId))
                .orElseThrow(() -> new InvalidRequestException(
                        "paymentMethodId",
                        "the user has no saved card: save one first (saveCard or a purchase that saves it)"));
        if (cards.stream().noneMatch(saved -> saved.paymentMethodId().equals(card))) {
            throw new InvalidRequestException("paymentMethodId", "is not one of the user's saved cards");
        }
        long maxAmount = settings.maxAmountPerMonth()
                .orElse(Math.multiplyExact(pack.price().minorUnits(), (long) settings.maxPerMonth()));
        return context.store()
                .recharges()
                .saveRule(
                        userId,
                        new RechargeRepository.RuleChange(
                                pack.id(),
                                settings.threshold(),
                                card,
                                settings.maxPerMonth(),
                                maxAmount,
                                settings.maxFailures(),
                                true),
                        context.clock().instant());
    }

    @Override
    public Optional<RechargeRule> rule(UserId userId) {
        return context.store().recharges().findRule(Checks.notNull("userId", userId));
    }

    @Override
    public RechargeRule pause(UserId userId) {
        return context.store()
                .recharges()
                .setPaused(
                        Checks.notNull("userId", userId),
                        Optional.of("paused"),
                        context.clock().instant())
                .orElseThrow(() -> noRule(userId));
    }

    @Override
    public RechargeRule resume(UserId userId) {
        return context.store()
                .recharges()
                .setPaused(
                        Checks.notNull("userId", userId),
                        Optional.empty(),
                        context.clock().instant())
                .orElseThrow(() -> noRule(userId));
    }

    @Override
    public boolean removeRule(UserId userId) {
        return context.store().recharges().deleteRule(Checks.notNull("userId", userId));
    }

    @Override
    public List<RechargeRule> rules(boolean pausedOnly, int limit) {
        return context.store().recharges().rules(pausedOnly, Checks.limit(limit, 1000));
    }

    @Override
    public List<RechargeAttempt> attempts(UserId userId, int limit) {
        return context.store().recharges().attempts(Checks.notNull("userId", userId), Checks.limit(limit, 1000));
    }

    @Override
    public Optional<ActionNeeded> actionNeeded(UserId userId) {
        Optional<RechargeAttempt> waiting = attempts(userId, 20).stream()
                .filter(attempt -> attempt.status() == RechargeStatus.REQUIRES_ACTION)
                .findFirst();
        if (waiting.isEmpty() || waiting.get().paymentIntentId().isEmpty()) {
            return Optional.empty();
        }
        PaymentIntentSnapshot intent = context.requireGateway()
                .retrievePaymentIntent(waiting.get().paymentIntentId().get());
        return intent.clientSecret()
                .map(secret -> new ActionNeeded(waiting.get(), intent.id(), secret, intent.amount()));
    }

    @Override
    public RechargeRunReport runDue(int limit) {
        Checks.limit(limit, 1000);
        return new RechargeWorker(
                        context.store(),
                        context.requireGateway(),
                        context.transitions(),
                        context.clock(),
                        context.listeners(),
                        context::knownCustomer)
                .runDue(limit);
    }

    private static BillingException noRule(UserId userId) {
        return new BillingException(BillingError.INVALID_REQUEST, "User " + userId + " has no auto-recharge rule");
    }
}
