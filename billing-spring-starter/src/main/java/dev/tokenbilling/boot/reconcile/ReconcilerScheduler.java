package dev.tokenbilling.boot.reconcile;

import dev.tokenbilling.TokenBilling;
import dev.tokenbilling.boot.metrics.BillingMetrics;
import dev.tokenbilling.reconcile.ReconcileReport;
import dev.tokenbilling.reconcile.Reconciler;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Runs {@link Reconciler#run} every {@code interval} on its own daemon thread while the application
 * context runs: checks purchases open for longer than {@code olderThan} with Stripe and retries
 * failed webhook events whose retry is due. Runs are spaced with a fixed delay, so a slow run never
 * overlaps the next. Safe on many instances: the core leases purchases and events with
 * {@code FOR UPDATE SKIP LOCKED}. Does nothing when no payment gateway is configured.
 */
public class ReconcilerScheduler implements SmartLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(ReconcilerScheduler.class);

    private final TokenBilling billing;
    private final Duration initialDelay;
    private final Duration interval;
    private final Duration olderThan;
    private final int batchSize;
    private final Supplier<BillingMetrics> metrics;
    private ScheduledExecutorService executor;
    private ScheduledFuture<?> task;
    private Reconciler reconciler;

    public ReconcilerScheduler(TokenBilling billing, Duration initialDelay, Duration interval, Duration olderThan, int batchSize,
            Supplier<BillingMetrics> metrics) {
        this.billing = Objects.requireNonNull(billing, "billing");
        this.initialDelay = requirePositiveOrZero(initialDelay, "billing.reconciler.initial-delay");
        this.interval = requirePositive(interval, "billing.reconciler.interval");
        this.olderThan = requirePositiveOrZero(olderThan, "billing.reconciler.older-than");
        if (batchSize < 1) {
            throw new IllegalArgumentException("billing.reconciler.batch-size must be at least 1, was " + batchSize);
        }
        this.batchSize = batchSize;
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    @Override
    public synchronized void start() {
        if (task != null) {
            return;
        }
        if (billing.paymentGateway().isEmpty()) {
            LOG.info("Token Billing reconciler not started: Stripe is not configured (billing.stripe.secret-key / STRIPE_SECRET_KEY)");
            return;
        }
        reconciler = billing.reconciler();
        executor = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "billing-reconciler");
            thread.setDaemon(true);
            return thread;
        });
        task = executor.scheduleWithFixedDelay(this::runSafely, initialDelay.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        LOG.info("Token Billing reconciler started: every {}, purchases open for more than {}, {} per run", interval, olderThan, batchSize);
    }

    @Override
    public synchronized void stop() {
        if (task == null) {
            return;
        }
        task.cancel(false);
        executor.shutdown();
        try {
            if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
        task = null;
        executor = null;
    }

    @Override
    public synchronized boolean isRunning() {
        return task != null;
    }

    /** Runs the reconciler once now, on the caller's thread; what the schedule does each interval. */
    public ReconcileReport runOnce() {
        Reconciler current = reconciler != null ? reconciler : billing.reconciler();
        long started = System.nanoTime();
        ReconcileReport report = current.run(olderThan, batchSize);
        Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
        metrics.get().reconcilerRan(report, elapsed);
        if (report.purchases().isEmpty() && report.events().isEmpty()) {
            LOG.debug("Token Billing reconciler: nothing to do ({} ms)", elapsed.toMillis());
        } else {
            LOG.info("Token Billing reconciler: {} purchases checked ({} completed, {} errors), {} failed events retried, in {} ms",
                    report.purchases().size(), report.completed(), report.errors(), report.events().size(), elapsed.toMillis());
        }
        return report;
    }

    private void runSafely() {
        try {
            runOnce();
        } catch (RuntimeException e) {
            // Never let an exception cancel the schedule: the next run may well succeed.
            metrics.get().reconcilerFailed(e);
            LOG.warn("Token Billing reconciler run failed, will try again in {}: {}", interval, e.toString());
        }
    }

    private static Duration requirePositive(Duration value, String name) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
        return value;
    }

    private static Duration requirePositiveOrZero(Duration value, String name) {
        if (value == null || value.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative, was " + value);
        }
        return value;
    }
}
