package dev.tokenbilling.boot.health;

import dev.tokenbilling.TokenBilling;
import dev.tokenbilling.error.BillingError;
import dev.tokenbilling.error.BillingException;
import dev.tokenbilling.model.WebhookEventStatus;
import dev.tokenbilling.service.OperationsService;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The check behind {@link BillingHealthIndicator}, free of Spring Boot's health API (whose package
 * differs between Boot generations): whether the database answers, and the counts that need an
 * operator. Each starter's {@code BillingHealthIndicator} turns the result into a {@code Health}.
 */
final class BillingHealthCheck {

    static final String DATABASE_UNREACHABLE = "database unreachable";
    static final String CHECK_FAILED = "billing check failed";

    // The indicator's name: the log lines read as they did before the check was split out.
    private static final Logger LOG = LoggerFactory.getLogger("dev.tokenbilling.boot.health.BillingHealthIndicator");

    /** UP or DOWN, with the details in the order they are shown. */
    record Result(boolean up, Map<String, Object> details) {}

    private final TokenBilling billing;
    private final Duration stuckAfter;

    BillingHealthCheck(TokenBilling billing, Duration stuckAfter) {
        this.billing = Objects.requireNonNull(billing, "billing");
        this.stuckAfter = Objects.requireNonNull(stuckAfter, "stuckAfter");
    }

    Result run() {
        Map<String, Object> details = new LinkedHashMap<>();
        long stuck;
        long failed;
        try {
            OperationsService operations = billing.service().operations();
            stuck = operations.countStuckPurchases(stuckAfter);
            failed = operations.countWebhookEvents(WebhookEventStatus.FAILED);
        } catch (BillingException e) {
            if (e.code() == BillingError.STORE_UNAVAILABLE) {
                LOG.warn("Token Billing health: DOWN, database unreachable: {}", e.getMessage());
                details.put("database", "unreachable");
                details.put("error", DATABASE_UNREACHABLE);
            } else {
                LOG.warn("Token Billing health: DOWN, check failed: {} {}", e.code(), e.getMessage(), e);
                details.put("error", CHECK_FAILED);
            }
            return new Result(false, Collections.unmodifiableMap(details));
        } catch (RuntimeException e) {
            LOG.warn("Token Billing health: DOWN, check failed: {}", e.toString(), e);
            details.put("error", CHECK_FAILED);
            return new Result(false, Collections.unmodifiableMap(details));
        }
        details.put("database", "reachable");
        details.put("stripe", billing.paymentsConfigured() ? "configured" : "not configured");
        details.put("stuckPurchases", stuck);
        details.put("stuckAfter", stuckAfter.toString());
        details.put("failedWebhookEvents", failed);
        return new Result(true, Collections.unmodifiableMap(details));
    }
}
