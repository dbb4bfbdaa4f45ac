package dev.tokenbilling.service;

import dev.tokenbilling.model.ActionNeeded;
import dev.tokenbilling.model.CardSetup;
import dev.tokenbilling.model.RechargeAttempt;
import dev.tokenbilling.model.RechargeRule;
import dev.tokenbilling.model.RechargeRunReport;
import dev.tokenbilling.model.RechargeSettings;
import dev.tokenbilling.model.SavedCard;
import dev.tokenbilling.model.UserId;
import java.util.List;
import java.util.Optional;

/**
 * Auto-recharge: a saved card and a rule that buys a pack, off-session, when a user's available
 * balance falls below a threshold. The posting that crosses the threshold records the need in its
 * own transaction (at most one recharge in flight per user); {@link #runDue} acts on it (schedule
 * it; the Spring starter does). The pack is credited through the same purchase path as any other.
 */
public interface RechargeService {

    /** Starts saving a card without a purchase: a SetupIntent on the user's Stripe customer. */
    CardSetup saveCard(UserId userId);

    /** The user's saved cards (brand, last 4, expiry). */
    List<SavedCard> cards(UserId userId);

    /** Removes a saved card; a rule that pays with it is paused ("card removed"). */
    void removeCard(UserId userId, String paymentMethodId);

    /**
     * Creates or replaces the user's rule, running (failures reset).
     *
     * @throws dev.tokenbilling.error.BillingException {@code UNKNOWN_PACKAGE}, {@code PACKAGE_INACTIVE},
     *     {@code PACKAGE_NOT_SYNCED}; {@code INVALID_REQUEST} when the user has no saved card (or not the one named)
     */
    RechargeRule setRule(UserId userId, RechargeSettings settings);

    Optional<RechargeRule> rule(UserId userId);

    /** Pauses the rule (by the user or an operator). */
    RechargeRule pause(UserId userId);

    /** Resumes a paused rule, failures reset. */
    RechargeRule resume(UserId userId);

    /** Turns auto-recharge off; true when the user had a rule. */
    boolean removeRule(UserId userId);

    /** Rules by user, at most {@code limit}; only paused ones with {@code pausedOnly}. */
    List<RechargeRule> rules(boolean pausedOnly, int limit);

    /** The user's recharges, newest first. */
    List<RechargeAttempt> attempts(UserId userId, int limit);

    /** The recharge waiting for the user to authenticate, if any, with what Stripe.js needs to confirm it. */
    Optional<ActionNeeded> actionNeeded(UserId userId);

    /** Acts on due recharges (at most {@code limit}); safe on many instances at once. */
    RechargeRunReport runDue(int limit);
}
