package dev.tokenbilling.boot.health;

import dev.tokenbilling.StoreUnavailableException;
import dev.tokenbilling.TokenBilling;
import dev.tokenbilling.model.PurchaseQuery;
import dev.tokenbilling.model.PurchaseStatus;
import dev.tokenbilling.model.WebhookEventQuery;
import dev.tokenbilling.model.WebhookEventStatus;
import java.time.Duration;
import java.util.Objects;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Health of Token Billing, as the {@code billing} component of {@code /actuator/health}: {@code UP}
 * while its database answers, {@code DOWN} when it does not. The details count what needs an
 * operator without taking the application out of service: {@code stuckPurchases} (open for longer
 * than {@code billing.reconciler.older-than}) and {@code failedWebhookEvents}; each count stops at
 * {@code countLimit}.
 */
public class BillingHealthIndicator extends AbstractHealthIndicator {

    /** Counts stop here: the store has no count query, and the indicator must stay cheap. */
    public static final int COUNT_LIMIT = 100;

    private final TokenBilling billing;
    private final Duration stuckAfter;

    public BillingHealthIndicator(TokenBilling billing, Duration stuckAfter) {
        super("Token Billing health check failed");
        this.billing = Objects.requireNonNull(billing, "billing");
        this.stuckAfter = Objects.requireNonNull(stuckAfter, "stuckAfter");
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        int stuck;
        int failed;
        try {
            stuck = billing.service().purchases(PurchaseQuery.all(COUNT_LIMIT)
                    .withStatus(PurchaseStatus.OPEN.toArray(PurchaseStatus[]::new))
                    .createdBefore(billing.clock().instant().minus(stuckAfter))).size();
            failed = billing.service().webhookEvents(WebhookEventQuery.all(COUNT_LIMIT).withStatus(WebhookEventStatus.FAILED)).size();
        } catch (StoreUnavailableException e) {
            builder.down().withDetail("database", "unreachable").withDetail("error", e.getMessage());
            return;
        }
        builder.up()
                .withDetail("database", "reachable")
                .withDetail("stripe", billing.paymentGateway().isPresent() ? "configured" : "not configured")
                .withDetail("stuckPurchases", stuck)
                .withDetail("stuckAfter", stuckAfter.toString())
                .withDetail("failedWebhookEvents", failed)
                .withDetail("countLimit", COUNT_LIMIT);
    }
}
