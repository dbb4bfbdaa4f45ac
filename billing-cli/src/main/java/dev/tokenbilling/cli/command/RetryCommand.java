package dev.tokenbilling.cli.command;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenbilling.cli.CliContext;
import dev.tokenbilling.cli.CliException;
import dev.tokenbilling.cli.Durations;
import dev.tokenbilling.cli.ExitCodes;
import dev.tokenbilling.cli.Failures;
import dev.tokenbilling.cli.Output;
import dev.tokenbilling.cli.Output.Column;
import dev.tokenbilling.cli.Output.Style;
import dev.tokenbilling.cli.Progress;
import dev.tokenbilling.model.Purchase;
import dev.tokenbilling.model.PurchaseQuery;
import dev.tokenbilling.model.PurchaseStatus;
import dev.tokenbilling.model.Subscription;
import dev.tokenbilling.model.WebhookEventQuery;
import dev.tokenbilling.model.WebhookEventRecord;
import dev.tokenbilling.model.WebhookEventStatus;
import dev.tokenbilling.reconcile.PurchaseCheck;
import dev.tokenbilling.reconcile.Reconciler;
import dev.tokenbilling.reconcile.SubscriptionCheck;
import dev.tokenbilling.webhook.WebhookOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code billing retry [--older-than 15m] [--dry-run] [--limit N]}: the reconciler on stuck purchases
 * (asks Stripe what became of each PaymentIntent and applies it), then due retries of failed webhook events,
 * then the subscriptions taken from Stripe longest ago (their state, and allowances of paid invoices whose
 * events never arrived).
 */
@Command(
        name = "retry",
        description = {
            "Reconcile stuck purchases with Stripe, retry due failed webhook events, then compare subscriptions with"
                    + " Stripe.",
            "Asks Stripe about purchases open (pending, processing, requires_action, failed) for longer than --older-than,"
                    + " applies what Stripe says (completing and crediting paid ones, canceling abandoned ones) and prints what"
                    + " happened to each.",
            "Then refreshes the subscriptions taken from Stripe longest ago, granting the allowance of each paid invoice"
                    + " whose webhook never arrived, and prints each one it repaired."
        })
public final class RetryCommand extends BaseCommand {

    static final int BATCH = 50;

    @Option(
            names = "--older-than",
            paramLabel = "DURATION",
            defaultValue = "15m",
            converter = Durations.Converter.class,
            description = "Only purchases created longer ago than this (default: ${DEFAULT-VALUE}).")
    Duration olderThan;

    @Option(
            names = "--limit",
            paramLabel = "N",
            defaultValue = "100",
            description = "At most N purchases, N events and N subscriptions (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--dry-run", description = "List what would be checked; ask Stripe nothing, change nothing.")
    boolean dryRun;

    public RetryCommand(CliContext context) {
        super(context);
    }

    @Override
    protected int run() {
        if (limit < 1 || limit > PurchaseQuery.MAX_LIMIT) {
            throw CliException.usage("--limit must be between 1 and " + PurchaseQuery.MAX_LIMIT + ", was " + limit);
        }
        return dryRun ? dryRun() : reconcile();
    }

    private int dryRun() {
        var service = service();
        Instant now = context.clock().instant();
        List<Purchase> stuck = service.purchases()
                .query(new PurchaseQuery(
                        PurchaseStatus.OPEN, Optional.empty(), Optional.of(now.minus(olderThan)), limit));
        List<WebhookEventRecord> due =
                service
                        .operations()
                        .webhookEvents(WebhookEventQuery.all(limit).withStatus(WebhookEventStatus.FAILED))
                        .stream()
                        .filter(event -> event.nextAttemptAt()
                                .map(next -> !next.isAfter(now))
                                .orElse(false))
                        .toList();
        List<Subscription> stalest = context.billing().store().subscriptions().listStalest(limit);
        if (!out().isTable()) {
            ObjectNode json = Output.newObject();
            json.put("dryRun", true);
            json.set("purchases", Output.array(PurchasesCommand.columns(context), stuck));
            json.set("events", Output.array(WebhooksCommand.columns(context), due));
            json.set("subscriptions", Output.array(SubscriptionsCommand.columns(), stalest));
            out().document(json);
            return ExitCodes.OK;
        }
        out().line(
                        Style.BOLD,
                        "Stuck purchases older than " + Durations.format(olderThan)
                                + " (would be checked with Stripe):");
        out().rows(PurchasesCommand.columns(context), stuck, "(none)");
        out().line("");
        out().line(Style.BOLD, "Failed webhook events due for a retry:");
        out().rows(WebhooksCommand.columns(context), due, "(none)");
        if (!stalest.isEmpty()) {
            out().line("");
            out().line(
                            Style.BOLD,
                            "Subscriptions that would be compared with Stripe (taken from Stripe longest ago first):");
            out().rows(SubscriptionsCommand.columns(), stalest, "(none)");
        }
        out().line("");
        out().line("Dry run: " + stuck.size() + " purchase" + (stuck.size() == 1 ? "" : "s") + " and " + due.size()
                + " event" + (due.size() == 1 ? "" : "s")
                + " would be retried"
                + (stalest.isEmpty()
                        ? ""
                        : " and " + stalest.size() + " subscription" + (stalest.size() == 1 ? "" : "s")
                                + " compared with Stripe")
                + "; nothing changed. (Purchases checked recently wait for their back-off.)");
        return ExitCodes.OK;
    }

    private int reconcile() {
        Reconciler reconciler = billingWithStripe(true).reconciler();
        List<PurchaseCheck> checks = new ArrayList<>();
        List<WebhookOutcome> events;
        List<SubscriptionCheck> subscriptions;
        try (Progress progress = new Progress(out())) {
            while (checks.size() < limit) {
                int batch = Math.min(BATCH, limit - checks.size());
                List<PurchaseCheck> done = reconciler.reconcilePurchases(olderThan, batch);
                checks.addAll(done);
                progress.update("Checked " + checks.size() + " stuck purchase" + (checks.size() == 1 ? "" : "s")
                        + " with Stripe…");
                if (done.size() < batch) {
                    break;
                }
            }
            progress.update("Retrying failed webhook events…");
            events = reconciler.retryFailedEvents(limit);
            progress.update("Comparing subscriptions with Stripe…");
            subscriptions = reconciler.reconcileSubscriptions(limit);
        }
        long subscriptionsRepaired = subscriptions.stream()
                .filter(check -> check.error().isEmpty() && check.repaired())
                .count();
        long subscriptionErrors = subscriptions.stream()
                .filter(check -> check.error().isPresent())
                .count();
        long errors = checks.stream().filter(PurchaseCheck::error).count();
        long changed =
                checks.stream().filter(check -> check.before() != check.after()).count();
        long completed = checks.stream()
                .filter(check -> check.before() != check.after() && check.after() == PurchaseStatus.COMPLETED)
                .count();
        long canceled = checks.stream()
                .filter(check -> check.before() != check.after() && check.after() == PurchaseStatus.CANCELED)
                .count();
        long eventsFailed = events.stream()
                .filter(event -> event.status() == WebhookOutcome.Status.FAILED_PERMANENT
                        || event.status() == WebhookOutcome.Status.FAILED_RETRYABLE)
                .count();
        List<Column<PurchaseCheck>> checkColumns = List.of(
                Column.<PurchaseCheck>of("PURCHASE", "purchaseId", PurchaseCheck::purchaseId)
                        .right(),
                Column.<PurchaseCheck>text(
                        "PAYMENT INTENT",
                        "paymentIntentId",
                        PurchaseCheck::paymentIntentId,
                        c -> c.paymentIntentId().orElse("-")),
                Column.<PurchaseCheck>text(
                        "BEFORE",
                        "before",
                        c -> c.before().wireName(),
                        c -> c.before().wireName()),
                Column.<PurchaseCheck>text(
                                "AFTER",
                                "after",
                                c -> c.after().wireName(),
                                c -> c.after().wireName())
                        .styled(c -> Columns.statusStyle(c.after())),
                Column.<PurchaseCheck>of("ERROR", "error", PurchaseCheck::error).hiddenInTable(),
                Column.<PurchaseCheck>of("WHAT HAPPENED", "action", PurchaseCheck::describe)
                        .styled(c -> c.error() ? Style.RED : Style.PLAIN),
                // Appended after the original fields so CSV columns keep their positions.
                Column.<PurchaseCheck>of(
                                "CODE",
                                "errorCode",
                                c -> failed(c).map(f -> f.code().wireName()).orElse(null))
                        .hiddenInTable());
        List<Column<WebhookOutcome>> eventColumns = WebhooksCommand.outcomeColumns();
        if (!out().isTable()) {
            ObjectNode json = Output.newObject();
            json.put("dryRun", false);
            json.set("purchases", Output.array(checkColumns, checks));
            json.set("events", Output.array(eventColumns, events));
            json.set("subscriptions", Output.array(subscriptionColumns(), subscriptions));
            ObjectNode summary = json.putObject("summary");
            summary.put("checked", checks.size());
            summary.put("changed", changed);
            summary.put("completed", completed);
            summary.put("canceled", canceled);
            summary.put("errors", errors);
            summary.put("eventsRetried", events.size());
            summary.put("eventsFailed", eventsFailed);
            summary.put("subscriptionsChecked", subscriptions.size());
            summary.put("subscriptionsRepaired", subscriptionsRepaired);
            summary.put("subscriptionErrors", subscriptionErrors);
            out().document(json);
        } else {
            out().line(Style.BOLD, "Stuck purchases older than " + Durations.format(olderThan) + ":");
            out().rows(checkColumns, checks, "(none)");
            if (!events.isEmpty()) {
                out().line("");
                out().line(Style.BOLD, "Failed webhook events retried:");
                out().rows(eventColumns, events, "(none)");
            }
            out().line("");
            out().line(
                            errors > 0 || eventsFailed > 0 ? Style.YELLOW : Style.GREEN,
                            "Checked " + checks.size() + " stuck purchase" + (checks.size() == 1 ? "" : "s") + ": "
                                    + completed + " completed, "
                                    + canceled + " canceled, " + (changed - completed - canceled)
                                    + " otherwise changed, " + errors + " error"
                                    + (errors == 1 ? "" : "s") + ". Retried " + events.size() + " failed event"
                                    + (events.size() == 1 ? "" : "s")
                                    + (eventsFailed > 0 ? ", " + eventsFailed + " still failing" : "") + ".");
            if (!subscriptions.isEmpty()) {
                reportSubscriptions(subscriptions, subscriptionsRepaired, subscriptionErrors);
            }
        }
        List<Failures.Failure> failures = checks.stream()
                .flatMap(check -> failed(check).stream())
                .map(f -> context.failures().failure(f.code(), f.providerReason(), f.message(), null))
                .toList();
        if (!failures.isEmpty() && failures.stream().allMatch(f -> f.exitCode() == ExitCodes.UNREACHABLE)) {
            out().note(failures.get(0).line() + " (" + errors + " purchase check" + (errors == 1 ? "" : "s")
                    + " failed); run 'billing retry' again later");
            return ExitCodes.UNREACHABLE;
        }
        if (errors > 0 || eventsFailed > 0 || subscriptionErrors > 0) {
            out().note("error: " + errors + " purchase check" + (errors == 1 ? "" : "s")
                    + (subscriptionErrors == 0 ? " and " : ", ") + eventsFailed + " event"
                    + (eventsFailed == 1 ? "" : "s")
                    + (subscriptionErrors == 0
                            ? ""
                            : " and " + subscriptionErrors + " subscription check"
                                    + (subscriptionErrors == 1 ? "" : "s"))
                    + " failed; see above");
            return ExitCodes.FAILED;
        }
        return ExitCodes.OK;
    }

    /** A line per repaired or failed subscription, then how many were compared. */
    private void reportSubscriptions(List<SubscriptionCheck> subscriptions, long repaired, long failed) {
        out().line("");
        out().line(Style.BOLD, "Subscriptions compared with Stripe:");
        for (SubscriptionCheck check : subscriptions) {
            String which =
                    check.stripeSubscriptionId() + " (user " + check.userId().value() + ")";
            if (check.error().isPresent()) {
                out().line(Style.RED, "  ❌ " + which + ": " + check.error().get());
            } else if (check.repaired()) {
                List<String> what = new ArrayList<>();
                if (check.before() != check.after()) {
                    what.add(check.before().wireName() + " → " + check.after().wireName());
                }
                what.addAll(check.granted());
                out().line(Style.GREEN, "  🔧 Repaired " + which + ": " + String.join("; ", what));
            }
        }
        long unchanged = subscriptions.size() - repaired - failed;
        if (repaired + failed == 0) {
            out().line("  (none needed a repair)");
        }
        out().line(
                        failed > 0 ? Style.YELLOW : Style.GREEN,
                        "Compared " + subscriptions.size() + " subscription" + (subscriptions.size() == 1 ? "" : "s")
                                + " with Stripe: " + repaired + " repaired, " + unchanged + " unchanged, " + failed
                                + " error" + (failed == 1 ? "" : "s") + ".");
    }

    /** A subscription check in JSON: {@code granted} lists the allowances granted now. */
    static List<Column<SubscriptionCheck>> subscriptionColumns() {
        return List.of(
                Column.<SubscriptionCheck>text(
                        "USER",
                        "userId",
                        c -> c.userId().value(),
                        c -> c.userId().value()),
                Column.<SubscriptionCheck>of(
                        "SUBSCRIPTION", "stripeSubscriptionId", SubscriptionCheck::stripeSubscriptionId),
                Column.<SubscriptionCheck>text(
                        "BEFORE",
                        "before",
                        c -> c.before().wireName(),
                        c -> c.before().wireName()),
                Column.<SubscriptionCheck>text(
                        "AFTER",
                        "after",
                        c -> c.after().wireName(),
                        c -> c.after().wireName()),
                Column.<SubscriptionCheck>of(
                        "REPAIRED", "repaired", c -> c.error().isEmpty() && c.repaired()),
                Column.<SubscriptionCheck>text(
                        "GRANTED",
                        "granted",
                        c -> {
                            ArrayNode granted = Output.newObject().arrayNode();
                            c.granted().forEach(granted::add);
                            return granted;
                        },
                        c -> String.join("; ", c.granted())),
                Column.<SubscriptionCheck>of("ERROR", "error", SubscriptionCheck::error));
    }

    private static Optional<PurchaseCheck.Failed> failed(PurchaseCheck check) {
        return check.result() instanceof PurchaseCheck.Failed failed ? Optional.of(failed) : Optional.empty();
    }
}
