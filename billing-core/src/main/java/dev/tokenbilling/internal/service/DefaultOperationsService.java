package dev.tokenbilling.internal.service;

import dev.tokenbilling.error.InvalidRequestException;
import dev.tokenbilling.model.AuditReport;
import dev.tokenbilling.model.BillingEvent;
import dev.tokenbilling.model.DeliveryReport;
import dev.tokenbilling.model.ExpiryReport;
import dev.tokenbilling.model.LedgerEntry;
import dev.tokenbilling.model.LedgerEntryKind;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.model.WebhookEventQuery;
import dev.tokenbilling.model.WebhookEventRecord;
import dev.tokenbilling.model.WebhookEventStatus;
import dev.tokenbilling.service.OperationsService;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

final class DefaultOperationsService implements OperationsService {

    private final ServiceContext context;

    DefaultOperationsService(ServiceContext context) {
        this.context = context;
    }

    @Override
    public ExpiryReport expire(int limit) {
        Checks.limit(limit, MAX_LIMIT);
        Instant now = context.clock().instant();
        int released = context.store().reservations().expire(now, limit);
        int lots = 0;
        long tokens = 0;
        for (long lotId : context.store().ledger().lapsedLots(now, limit)) {
            Optional<LedgerEntry> expired =
                    context.store().ledger().closeLot(lotId, LedgerEntryKind.EXPIRY, "Expired tokens", now);
            if (expired.isPresent()) {
                context.debited(expired.get());
                lots++;
                tokens += -expired.get().amount();
            }
        }
        return new ExpiryReport(lots, tokens, released);
    }

    @Override
    public ExpiryReport expireDue(int batchSize, int maxItems, Consumer<ExpiryReport> progress) {
        Checks.limit(batchSize, MAX_LIMIT);
        Checks.notNull("progress", progress);
        if (maxItems < 1) {
            throw new InvalidRequestException("maxItems", "must be positive, was " + maxItems);
        }
        ExpiryReport total = ExpiryReport.NOTHING;
        while (total.itemsDone() < maxItems) {
            int batch = Math.min(batchSize, maxItems - total.itemsDone());
            ExpiryReport report = expire(batch);
            total = total.plus(report);
            progress.accept(total);
            if (report.itemsDone() < batch) {
                break;
            }
        }
        return total;
    }

    @Override
    public AuditReport audit() {
        return new AuditReport(context.store().ledger().auditViolations());
    }

    @Override
    public long countStuckPurchases(Duration olderThan) {
        Checks.notNull("olderThan", olderThan);
        return context.store().purchases().countOpen(context.clock().instant().minus(olderThan));
    }

    @Override
    public long countWebhookEvents(WebhookEventStatus status) {
        return context.store().webhookEvents().count(Checks.notNull("status", status));
    }

    @Override
    public Optional<WebhookEventRecord> findWebhookEvent(String eventId) {
        return context.store().webhookEvents().findById(Checks.notNull("eventId", eventId));
    }

    @Override
    public List<WebhookEventRecord> webhookEvents(WebhookEventQuery query) {
        return context.store().webhookEvents().find(Checks.notNull("query", query));
    }

    @Override
    public DeliveryReport deliverEvents(int limit) {
        Checks.limit(limit, MAX_LIMIT);
        return context.eventDelivery().deliverDue(limit);
    }

    @Override
    public List<BillingEvent> billingEvents(Optional<UserId> userId, Optional<Boolean> delivered, int limit) {
        Checks.limit(limit, MAX_LIMIT);
        return context.store()
                .outbox()
                .list(Checks.notNull("userId", userId), Checks.notNull("delivered", delivered), limit);
    }

    @Override
    public boolean redeliverEvent(UserId userId, long eventId) {
        return context.store()
                .outbox()
                .redeliver(
                        Checks.notNull("userId", userId),
                        eventId,
                        context.clock().instant());
    }
}
