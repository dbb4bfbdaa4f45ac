package dev.tokenbilling.boot.health;

import dev.tokenbilling.TokenBilling;
import dev.tokenbilling.error.BillingError;
import dev.tokenbilling.error.BillingException;
import dev.tokenbilling.model.WebhookEventStatus;
import dev.tokenbilling.service.OperationsService;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Health of Token Billing, as the {@code billing} component of {@code /actuator/health}: {@code UP}
 * while its database answers, {@code DOWN} when it does not. The details count what needs an
 * operator without taking the application out of service: {@code stuckPurchases} (open for longer
 * than {@code billing.reconciler.older-than}, {@link OperationsService#countStuckPurchases}) and
 * {@code failedWebhookEvents} ({@link OperationsService#countWebhookEvents}); both are count
 * queries, no rows are loaded.
 *
 * <p>When the check fails, the details say why in a stable short reason ({@code error}:
 * {@value #DATABASE_UNREACHABLE} or {@value #CHECK_FAILED}), never the driver's message, which can
 * name hosts, ports, database and user names; that message is logged instead.
 */
public class BillingHealthIndicator extends AbstractHealthIndicator {

    /** The {@code error} detail when the database cannot be reached or refuses the connection. */
    public static final String DATABASE_UNREACHABLE = "database unreachable";
    /** The {@code error} detail when the check failed for another reason (e.g. the schema is missing). */
    public static final String CHECK_FAILED = "billing check failed";

    private static final Logger LOG = LoggerFactory.getLogger(BillingHealthIndicator.class);

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
            OperationsService operations = billing.service().operations();
            stuck = operations.countStuckPurchases(stuckAfter);
            failed = operations.countWebhookEvents(WebhookEventStatus.FAILED);
        } catch (BillingException e) {
            if (e.code() == BillingError.STORE_UNAVAILABLE) {
                LOG.warn("Token Billing health: DOWN, database unreachable: {}", e.getMessage());
                builder.down().withDetail("database", "unreachable").withDetail("error", DATABASE_UNREACHABLE);
            } else {
                LOG.warn("Token Billing health: DOWN, check failed: {} {}", e.code(), e.getMessage(), e);
                builder.down().withDetail("error", CHECK_FAILED);
            }
            return;
        } catch (RuntimeException e) {
            LOG.warn("Token Billing health: DOWN, check failed: {}", e.toString(), e);
            builder.down().withDetail("error", CHECK_FAILED);
            return;
        }
        builder.up()
                .withDetail("database", "reachable")
                .withDetail("stripe", billing.paymentsConfigured() ? "configured" : "not configured")
                .withDetail("stuckPurchases", stuck)
                .withDetail("stuckAfter", stuckAfter.toString())
                .withDetail("failedWebhookEvents", failed);
    }
}
