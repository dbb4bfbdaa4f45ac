package dev.tokenbilling.boot.health;

import dev.tokenbilling.TokenBilling;
import java.time.Duration;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Health of Token Billing, as the {@code billing} component of {@code /actuator/health}: {@code UP}
 * while its database answers, {@code DOWN} when it does not. The details count what needs an
 * operator without taking the application out of service: {@code stuckPurchases} (open for longer
 * than {@code billing.reconciler.older-than}, {@link dev.tokenbilling.service.OperationsService#countStuckPurchases}) and
 * {@code failedWebhookEvents} ({@link dev.tokenbilling.service.OperationsService#countWebhookEvents}); both are count
 * queries, no rows are loaded.
 *
 * <p>When the check fails, the details say why in a stable short reason ({@code error}:
 * {@value #DATABASE_UNREACHABLE} or {@value #CHECK_FAILED}), never the driver's message, which can
 * name hosts, ports, database and user names; that message is logged instead.
 *
 * <p>The check itself is Boot-generation neutral ({@code BillingHealthCheck}); this class only adapts it
 * to this Spring Boot generation's health API, under the same name in every starter.
 */
public class BillingHealthIndicator extends AbstractHealthIndicator {

    /** The {@code error} detail when the database cannot be reached or refuses the connection. */
    public static final String DATABASE_UNREACHABLE = BillingHealthCheck.DATABASE_UNREACHABLE;
    /** The {@code error} detail when the check failed for another reason (e.g. the schema is missing). */
    public static final String CHECK_FAILED = BillingHealthCheck.CHECK_FAILED;

    private final BillingHealthCheck check;

    public BillingHealthIndicator(TokenBilling billing, Duration stuckAfter) {
        super("Token Billing health check failed");
        this.check = new BillingHealthCheck(billing, stuckAfter);
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        BillingHealthCheck.Result result = check.run();
        (result.up() ? builder.up() : builder.down()).withDetails(result.details());
    }
}
