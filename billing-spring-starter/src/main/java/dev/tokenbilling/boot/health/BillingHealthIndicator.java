package dev.tokenbilling.boot.health;

import dev.tokenbilling.error.StoreUnavailableException;
import dev.tokenbilling.TokenBilling;
import dev.tokenbilling.TokenBillingService;
import dev.tokenbilling.model.WebhookEventStatus;
import java.time.Duration;
import java.util.Objects;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Health of Token Billing, as the {@code billing} component of {@code /actuator/health}: {@code UP}
 * while its database answers, {@code DOWN} when it does not. The details count what needs an
 * operator without taking the application out of service: {@code stuckPurchases} (open for longer
 * than {@code billing.reconciler.older-than}, {@link TokenBillingService#countStuckPurchases}) and
 * {@code failedWebhookEvents} ({@link TokenBillingService#countWebhookEvents}); both are count
 * queries, no rows are loaded.
 */
public class BillingHealthIndicator extends AbstractHealthIndicator {

    private final TokenBilling billing;
    private final Duration stuckAfter;

    public BillingHealthIndicator(TokenBilling billing, Duration stuckAfter) {
        super("Token Billing health check failed");
        this.billing = Objects.requireNonNull(billing, "billing");
        this.stuckAfter = Objects.requireNonNull(stuckAfter, "stuckAfter");
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        long stuck;
        long failed;
        try {
            stuck = billing.service().countStuckPurchases(stuckAfter);
            failed = billing.service().countWebhookEvents(WebhookEventStatus.FAILED);
        } catch (StoreUnavailableException e) {
            builder.down().withDetail("database", "unreachable").withDetail("error", e.getMessage());
            return;
        }
        builder.up()
                .withDetail("database", "reachable")
                .withDetail("stripe", billing.paymentGateway().isPresent() ? "configured" : "not configured")
                .withDetail("stuckPurchases", stuck)
                .withDetail("stuckAfter", stuckAfter.toString())
                .withDetail("failedWebhookEvents", failed);
    }
}
