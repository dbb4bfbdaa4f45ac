package dev.tokenbilling.boot.reconcile;

import dev.tokenbilling.TokenBilling;
import dev.tokenbilling.boot.autoconfigure.BillingConfigurationException;
import dev.tokenbilling.boot.autoconfigure.BillingProperties;
import dev.tokenbilling.boot.metrics.BillingMetrics;
import dev.tokenbilling.model.DeliveryReport;
import dev.tokenbilling.model.ExpiryReport;
import dev.tokenbilling.model.PurchaseQuery;
import dev.tokenbilling.model.RechargeRunReport;
import dev.tokenbilling.reconcile.MissedEventsReport;
import dev.tokenbilling.reconcile.ReconcileReport;
import dev.tokenbilling.reconcile.Reconciler;
import dev.tokenbilling.service.OperationsService;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Token Billing's background jobs while the application context runs, each on its own daemon thread
 * and spaced with a fixed delay, so that a slow run never overlaps its next one nor holds up another
 * job. Every job is safe on many instances at once: the core leases purchases and events with
 * {@code FOR UPDATE SKIP LOCKED} and expires each hold and lot exactly once.
 * <ul>
 *   <li>{@link Job#RECONCILE} ({@code billing.reconciler.*}, needs Stripe): {@link Reconciler#run} checks purchases
 *       open for longer than {@code older-than} with Stripe and retries failed webhook events whose retry is due;</li>
 *   <li>{@link Job#FETCH_MISSED_EVENTS} ({@code billing.reconciler.fetch-missed-events=true}, needs Stripe):
 *       {@link Reconciler#fetchMissedEvents} lists the events of the last {@code missed-events-lookback} from
 *       Stripe's API and processes those no webhook brought;</li>
 *   <li>{@link Job#EXPIRY} ({@code billing.expiry.*}, with or without Stripe): {@link OperationsService#expireDue}
 *       releases holds past their time to live and takes lapsed lots out of balances, in batches;</li>
 *   <li>{@link Job#EVENTS} ({@code billing.events.*}, with or without Stripe): {@link OperationsService#deliverEvents}
 *       hands due billing events from the outbox to the application's {@code BillingEventListener}s;</li>
 *   <li>{@link Job#RECHARGE} ({@code billing.recharge.*}, needs Stripe):
 *       {@link dev.tokenbilling.service.RechargeService#runDue} buys the packs of triggered auto-recharge rules
 *       off-session.</li>
 * </ul>
 * {@link #runOnce()}, {@link #fetchMissedEventsOnce()}, {@link #expireOnce()}, {@link #deliverEventsOnce()}
 * and {@link #rechargeOnce()} run a job on demand, on the caller's thread.
 */
public class ReconcilerScheduler implements SmartLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(ReconcilerScheduler.class);

    /** The most expiry batches one run takes before it waits for the next interval. */
    public static final int MAX_EXPIRY_BATCHES_PER_RUN = 20;

    /** The scheduler's jobs. */
    public enum Job {
        /** Repairs stuck purchases and retries failed webhook events. */
        RECONCILE("billing-reconciler"),
        /** Processes recent Stripe events that never arrived as webhooks. */
        FETCH_MISSED_EVENTS("billing-missed-events"),
        /** Releases lapsed holds and expires lapsed lots. */
        EXPIRY("billing-expiry"),
        /** Delivers due billing events to the application's listeners. */
        EVENTS("billing-events"),
        /** Buys the packs of triggered auto-recharge rules. */
        RECHARGE("billing-recharge");

        private final String threadName;

        Job(String threadName) {
            this.threadName = threadName;
        }
    }

    private final TokenBilling billing;
    private final Supplier<BillingMetrics> metrics;

    private final boolean reconcile;
    private final Duration initialDelay;
    private final Duration interval;
    private final Duration olderThan;
    private final int batchSize;

    private final boolean fetchMissedEvents;
    private final Duration missedEventsInterval;
    private final Duration missedEventsLookback;

    private final boolean expiry;
    private final Duration expiryInitialDelay;
    private final Duration expiryInterval;
    private final int expiryBatchSize;

    private final boolean events;
    private final Duration eventsInterval;
    private final int eventsBatchSize;

    private final boolean recharge;
    private final Duration rechargeInterval;
    private final int rechargeBatchSize;

    private final Map<Job, ScheduledExecutorService> executors = new EnumMap<>(Job.class);

    /**
     * The jobs and their timing from {@code billing.reconciler.*}, {@code billing.expiry.*},
     * {@code billing.events.*} and {@code billing.recharge.*}.
     */
    public ReconcilerScheduler(TokenBilling billing, BillingProperties properties, Supplier<BillingMetrics> metrics) {
        this.billing = Objects.requireNonNull(billing, "billing");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        BillingProperties.Reconciler reconciler = properties.getReconciler();
        this.reconcile = reconciler.isEnabled();
        this.initialDelay = reconciler.getInitialDelay();
        this.interval = reconciler.getInterval();
        this.olderThan = reconciler.getOlderThan();
        this.batchSize = reconciler.getBatchSize();
        this.fetchMissedEvents = reconcile && reconciler.isFetchMissedEvents();
        this.missedEventsInterval = reconciler.getMissedEventsInterval();
        this.missedEventsLookback = reconciler.getMissedEventsLookback();
        BillingProperties.Expiry expiries = properties.getExpiry();
        this.expiry = expiries.isEnabled();
        this.expiryInitialDelay = expiries.getInitialDelay();
        this.expiryInterval = expiries.getInterval();
        this.expiryBatchSize = expiries.getBatchSize();
        BillingProperties.Events deliveries = properties.getEvents();
        this.events = deliveries.isEnabled();
        this.eventsInterval = deliveries.getDeliveryInterval();
        this.eventsBatchSize = deliveries.getBatchSize();
        BillingProperties.Recharge recharges = properties.getRecharge();
        this.recharge = recharges.isEnabled();
        this.rechargeInterval = recharges.getInterval();
        this.rechargeBatchSize = recharges.getBatchSize();
        if (reconcile) {
            requirePositiveOrZero(initialDelay, "billing.reconciler.initial-delay");
            requirePositive(interval, "billing.reconciler.interval");
            requirePositiveOrZero(olderThan, "billing.reconciler.older-than");
            requireLimit(batchSize, PurchaseQuery.MAX_LIMIT, "billing.reconciler.batch-size");
        }
        if (fetchMissedEvents) {
            requirePositive(missedEventsInterval, "billing.reconciler.missed-events-interval");
            requirePositive(missedEventsLookback, "billing.reconciler.missed-events-lookback");
            if (missedEventsLookback.compareTo(Reconciler.MAX_EVENT_LOOKBACK) > 0) {
                throw new BillingConfigurationException(
                        "billing.reconciler.missed-events-lookback must be at most "
                                + Reconciler.MAX_EVENT_LOOKBACK.toDays() + " days (Stripe keeps events that long), was "
                                + missedEventsLookback,
                        "Set billing.reconciler.missed-events-lookback to e.g. 3d (the default).");
            }
        }
        if (expiry) {
            requirePositiveOrZero(expiryInitialDelay, "billing.expiry.initial-delay");
            requirePositive(expiryInterval, "billing.expiry.interval");
            requireLimit(expiryBatchSize, OperationsService.MAX_LIMIT, "billing.expiry.batch-size");
        }
        if (events) {
            requirePositive(eventsInterval, "billing.events.delivery-interval");
            requireLimit(eventsBatchSize, OperationsService.MAX_LIMIT, "billing.events.batch-size");
        }
        if (recharge) {
            requirePositive(rechargeInterval, "billing.recharge.interval");
            requireLimit(rechargeBatchSize, OperationsService.MAX_LIMIT, "billing.recharge.batch-size");
        }
    }

    @Override
    public synchronized void start() {
        if (!executors.isEmpty()) {
            return;
        }
        boolean stripe = billing.paymentsConfigured();
        if (reconcile && !stripe) {
            LOG.info(
                    "Token Billing reconciler not started: Stripe is not configured (billing.stripe.secret-key / STRIPE_SECRET_KEY)");
        }
        if (reconcile && stripe) {
            schedule(
                    Job.RECONCILE,
                    initialDelay,
                    interval,
                    this::runOnce,
                    error -> metrics.get().reconcilerFailed(error));
            LOG.info(
                    "Token Billing reconciler started: every {}, purchases open for more than {}, {} per run",
                    interval,
                    olderThan,
                    batchSize);
            if (fetchMissedEvents) {
                schedule(
                        Job.FETCH_MISSED_EVENTS,
                        initialDelay,
                        missedEventsInterval,
                        this::fetchMissedEventsOnce,
                        error -> metrics.get().missedEventsFetchFailed(error));
                LOG.info(
                        "Token Billing missed-event fetch started: every {}, events of the last {}",
                        missedEventsInterval,
                        missedEventsLookback);
            }
        }
        if (expiry) {
            schedule(
                    Job.EXPIRY,
                    expiryInitialDelay,
                    expiryInterval,
                    this::expireOnce,
                    error -> metrics.get().expiryFailed(error));
            LOG.info(
                    "Token Billing expiry started: every {}, up to {} holds and lots per batch",
                    expiryInterval,
                    expiryBatchSize);
        }
        if (events) {
            schedule(
                    Job.EVENTS,
                    eventsInterval,
                    eventsInterval,
                    this::deliverEventsOnce,
                    error -> metrics.get().eventDeliveryFailed(error));
            LOG.info(
                    "Token Billing event delivery started: every {}, up to {} events per run",
                    eventsInterval,
                    eventsBatchSize);
        }
        if (recharge && stripe) {
            schedule(
                    Job.RECHARGE,
                    rechargeInterval,
                    rechargeInterval,
                    this::rechargeOnce,
                    error -> metrics.get().rechargeFailed(error));
            LOG.info(
                    "Token Billing auto-recharge started: every {}, up to {} recharges per run",
                    rechargeInterval,
                    rechargeBatchSize);
        }
    }

    private void schedule(Job job, Duration delay, Duration every, Runnable run, Consumer<Throwable> failed) {
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, job.threadName);
            thread.setDaemon(true);
            return thread;
        });
        executor.scheduleWithFixedDelay(
                () -> {
                    try {
                        run.run();
                    } catch (RuntimeException e) {
                        // Never let an exception cancel the schedule: the next run may well succeed.
                        failed.accept(e);
                        LOG.warn(
                                "Token Billing {} run failed, will try again in {}: {}",
                                job.name().toLowerCase(java.util.Locale.ROOT),
                                every,
                                e.toString());
                    }
                },
                delay.toMillis(),
                every.toMillis(),
                TimeUnit.MILLISECONDS);
        executors.put(job, executor);
    }

    @Override
    public synchronized void stop() {
        executors.values().forEach(ScheduledExecutorService::shutdown);
        for (ScheduledExecutorService executor : executors.values()) {
            try {
                if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
                    executor.shutdownNow();
                }
            } catch (InterruptedException e) {
                executor.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
        executors.clear();
    }

    @Override
    public synchronized boolean isRunning() {
        return !executors.isEmpty();
    }

    /**
     * The jobs scheduled now: none before {@link #start()}, and only {@link Job#EXPIRY} and
     * {@link Job#EVENTS} without Stripe.
     */
    public synchronized Set<Job> jobs() {
        return executors.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(executors.keySet()));
    }

    /** Runs the reconciler once now, on the caller's thread; what the schedule does each interval. Needs Stripe. */
    public ReconcileReport runOnce() {
        long started = System.nanoTime();
        ReconcileReport report = billing.reconciler().run(olderThan, batchSize);
        Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
        metrics.get().reconcilerRan(report, elapsed);
        if (report.purchases().isEmpty() && report.events().isEmpty()) {
            LOG.debug("Token Billing reconciler: nothing to do ({} ms)", elapsed.toMillis());
        } else {
            LOG.info(
                    "Token Billing reconciler: {} purchases checked ({} completed, {} errors), {} failed events retried, in {} ms",
                    report.purchases().size(),
                    report.completed(),
                    report.errors(),
                    report.events().size(),
                    elapsed.toMillis());
        }
        return report;
    }

    /**
     * Fetches the events of the last {@code billing.reconciler.missed-events-lookback} from Stripe's API
     * once now and processes those not stored yet. Needs Stripe; works whether or not the periodic
     * fetch is on.
     */
    public MissedEventsReport fetchMissedEventsOnce() {
        long started = System.nanoTime();
        MissedEventsReport report = billing.reconciler().fetchMissedEvents(missedEventsLookback);
        Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
        metrics.get().missedEventsFetched(report, elapsed);
        if (report.processed().isEmpty()) {
            LOG.debug(
                    "Token Billing missed-event fetch: {} events listed, none missed ({} ms)",
                    report.listed(),
                    elapsed.toMillis());
        } else {
            LOG.warn(
                    "Token Billing missed-event fetch: {} events listed, {} had not arrived as webhooks and were processed now "
                            + "(check the webhook endpoint in the Stripe dashboard), in {} ms",
                    report.listed(),
                    report.processed().size(),
                    elapsed.toMillis());
        }
        return report;
    }

    /**
     * Runs expiry once now, on the caller's thread, at the billing clock's time: releases lapsed holds
     * and takes lapsed lots out of balances with billing-core's {@link OperationsService#expireDue}, in
     * batches of {@code billing.expiry.batch-size} while they come back full, up to
     * {@link #MAX_EXPIRY_BATCHES_PER_RUN} batches' worth. Works with or without Stripe.
     */
    public ExpiryReport expireOnce() {
        long started = System.nanoTime();
        ExpiryReport total = billing.service()
                .operations()
                .expireDue(
                        expiryBatchSize,
                        MAX_EXPIRY_BATCHES_PER_RUN * expiryBatchSize,
                        soFar -> LOG.debug(
                                "Token Billing expiry: {} holds released, {} lots expired so far",
                                soFar.reservationsReleased(),
                                soFar.lotsExpired()));
        Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
        metrics.get().expiryRan(total, elapsed);
        if (total.lotsExpired() == 0 && total.reservationsReleased() == 0) {
            LOG.debug("Token Billing expiry: nothing lapsed ({} ms)", elapsed.toMillis());
        } else {
            LOG.info(
                    "Token Billing expiry: {} tokens of {} lots expired, {} holds released, in {} ms",
                    total.tokensExpired(),
                    total.lotsExpired(),
                    total.reservationsReleased(),
                    elapsed.toMillis());
        }
        return total;
    }

    /**
     * Delivers due billing events once now, on the caller's thread, to the listeners the library was
     * built with (at most {@code billing.events.batch-size}). Works with or without Stripe.
     */
    public DeliveryReport deliverEventsOnce() {
        long started = System.nanoTime();
        DeliveryReport report = billing.service().operations().deliverEvents(eventsBatchSize);
        Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
        metrics.get().eventsDelivered(report, elapsed);
        if (report.leased() == 0) {
            LOG.debug("Token Billing event delivery: nothing due ({} ms)", elapsed.toMillis());
        } else if (report.failed() > 0) {
            LOG.warn(
                    "Token Billing event delivery: {} events delivered, {} failed (retried later), in {} ms",
                    report.delivered(),
                    report.failed(),
                    elapsed.toMillis());
        } else {
            LOG.debug(
                    "Token Billing event delivery: {} events delivered in {} ms",
                    report.delivered(),
                    elapsed.toMillis());
        }
        return report;
    }

    /**
     * Acts on due auto-recharges once now, on the caller's thread (at most
     * {@code billing.recharge.batch-size}): buys their packs off-session. Needs Stripe.
     */
    public RechargeRunReport rechargeOnce() {
        long started = System.nanoTime();
        RechargeRunReport report = billing.service().recharge().runDue(rechargeBatchSize);
        Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
        metrics.get().rechargesRan(report, elapsed);
        if (report.leased() == 0) {
            LOG.debug("Token Billing auto-recharge: nothing due ({} ms)", elapsed.toMillis());
        } else {
            LOG.info(
                    "Token Billing auto-recharge: {} recharges ({} paid, {} declined, {} need the user, {} skipped), in {} ms",
                    report.leased(),
                    report.paid(),
                    report.declined(),
                    report.needsAction(),
                    report.skipped(),
                    elapsed.toMillis());
        }
        return report;
    }

    private static void requirePositive(Duration value, String name) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new BillingConfigurationException(
                    name + " must be positive, was " + value, "Set " + name + " to e.g. 1m.");
        }
    }

    private static void requirePositiveOrZero(Duration value, String name) {
        if (value == null || value.isNegative()) {
            throw new BillingConfigurationException(
                    name + " must not be negative, was " + value, "Set " + name + " to e.g. 30s.");
        }
    }

    private static void requireLimit(int value, int max, String name) {
        if (value < 1 || value > max) {
            throw new BillingConfigurationException(
                    name + " must be between 1 and " + max + ", was " + value, "Set " + name + " to e.g. 100.");
        }
    }
}
