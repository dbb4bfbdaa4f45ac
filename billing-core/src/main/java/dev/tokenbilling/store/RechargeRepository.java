package dev.tokenbilling.store;

import dev.tokenbilling.model.RechargeAttempt;
import dev.tokenbilling.model.RechargeRule;
import dev.tokenbilling.model.RechargeStatus;
import dev.tokenbilling.model.UserId;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Auto-recharge rules and attempts. A rule's threshold is mirrored on the user's balance row while
 * the rule runs (enabled, not paused), so that the posting that crosses it records a pending
 * attempt in its own transaction; at most one attempt is pending, processing or waiting for the
 * user per user.
 */
public interface RechargeRepository {

    /** The rule's fields a caller sets; the store keeps the failures count and times. */
    record RuleChange(
            long packageId,
            long threshold,
            String paymentMethodId,
            int maxPerMonth,
            long maxAmountPerMonth,
            int maxFailures,
            boolean enabled) {}

    /** Creates or replaces the user's rule (un-pausing it, failures reset); returns it as stored. */
    RechargeRule saveRule(UserId userId, RuleChange change, Instant at);

    Optional<RechargeRule> findRule(UserId userId);

    /** Pauses the rule with {@code reason} (or, empty, resumes it with failures reset); empty without a rule. */
    Optional<RechargeRule> setPaused(UserId userId, Optional<String> reason, Instant at);

    /** Counts one more decline; returns the rule afterwards. */
    Optional<RechargeRule> countFailure(UserId userId, Instant at);

    /** Resets the decline count after a success. */
    void resetFailures(UserId userId, Instant at);

    /** Removes the rule; true when there was one. */
    boolean deleteRule(UserId userId);

    /** Rules by user id, at most {@code limit}; only paused ones with {@code pausedOnly}. */
    List<RechargeRule> rules(boolean pausedOnly, int limit);

    /**
     * Leases up to {@code limit} attempts to work on: pending ones due at {@code now}, and processing
     * ones whose worker stopped updating them before {@code staleBefore} (it died); each becomes
     * processing, updated at {@code now}. Racing callers never get the same attempt.
     */
    List<RechargeAttempt> leaseDue(Instant now, Instant staleBefore, int limit);

    /** Records the purchase the attempt pays with (once: a second call keeps the first). Returns the attempt. */
    RechargeAttempt attachPurchase(UserId userId, long attemptId, long purchaseId, Instant at);

    /** Forgets the attempt's purchase (its try was declined; a retry buys with a new one). */
    void clearPurchase(UserId userId, long attemptId);

    /**
     * Moves the attempt to {@code status} with {@code reason}, the PaymentIntent and, for a retry
     * ({@link RechargeStatus#PENDING}), when to try again; {@code declined} counts a try.
     */
    RechargeAttempt update(
            UserId userId,
            long attemptId,
            RechargeStatus status,
            Optional<String> reason,
            Optional<String> paymentIntentId,
            Instant nextAttemptAt,
            boolean declined,
            Instant at);

    /** The attempt that pays with this purchase, if any. */
    Optional<RechargeAttempt> findByPurchase(UserId userId, long purchaseId);

    /** The user's attempts, newest first. */
    List<RechargeAttempt> attempts(UserId userId, int limit);

    /** How many of the user's attempts since {@code since} bought a pack (succeeded or in flight with a purchase), and their amount. */
    MonthUsage usageSince(UserId userId, Instant since);

    record MonthUsage(int count, long amountMinor) {}
}
