package dev.tokenbilling.benchmarks.webhooks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenbilling.benchmarks.BenchmarkReport;
import dev.tokenbilling.benchmarks.ReportFormat;
import dev.tokenbilling.benchmarks.Throughput;
import java.io.PrintStream;
import java.util.Locale;

/** Prints a {@link WebhooksRun}: a table for people, and one JSON line for scripts. */
public final class WebhooksReport implements BenchmarkReport {

    private static final int VIOLATIONS_SHOWN = 20;
    private static final String ROW = "%-30s %12s  %6s  %-15s %-14s %8s%n";

    private final WebhooksRun run;

    public WebhooksReport(WebhooksRun run) {
        this.run = run;
    }

    @Override
    public void printTable(PrintStream out) {
        ReportFormat.printHeader(out, "Webhooks", run);
        out.printf(
                Locale.ROOT,
                "First deliveries: a signed payment_intent.succeeded per pending purchase (%,d tokens for %s, %,d users per side),%n",
                WebhooksFixture.PACKAGE_TOKENS,
                WebhooksFixture.PRICE,
                WebhooksFixture.USERS_PER_SIDE);
        out.printf(
                Locale.ROOT,
                "each event once (%,d prepared for the baseline's measured run, %,d for handle's); duplicates: the %,d events%n",
                run.baseline().prepared(),
                run.handle().prepared(),
                run.duplicateEvents());
        out.println(
                "handle processed, delivered again (re-signed) in a loop. Signature checks included on both sides.");
        out.println();
        out.printf(Locale.ROOT, ROW, "run", "events/s", "ratio", "of", "target", "failures");
        out.printf(
                Locale.ROOT,
                ROW,
                "raw-JDBC baseline, first",
                ReportFormat.perSecond(run.baseline().measured()),
                "1.00",
                "",
                "",
                run.baseline().measured().failures());
        out.printf(
                Locale.ROOT,
                ROW,
                "handle, first deliveries",
                ReportFormat.perSecond(run.handle().measured()),
                ReportFormat.ratio(run.handleRatio()),
                "baseline",
                ReportFormat.target(WebhooksRun.HANDLE_TARGET, run.handleTargetMet()),
                run.handle().measured().failures());
        out.printf(
                Locale.ROOT,
                ROW,
                "handle, duplicate deliveries",
                ReportFormat.perSecond(run.duplicates()),
                ReportFormat.ratio(run.duplicateRatio()),
                "handle, first",
                ReportFormat.target(WebhooksRun.DUPLICATE_TARGET, run.duplicateTargetMet()),
                run.duplicates().failures());
        out.println();
        out.println(
                "events/s: deliveries per second answered with the expected outcome (first: processed; duplicates: duplicate).");
        ranOut(out, "baseline", run.baseline());
        ranOut(out, "handle", run.handle());
        ReportFormat.printFirstFailure(out, "baseline", run.baseline().measured());
        ReportFormat.printFirstFailure(out, "handle", run.handle().measured());
        ReportFormat.printFirstFailure(out, "duplicates", run.duplicates());
        if (run.violations().isEmpty()) {
            out.println("Ledger audit: sound, no violations");
        } else {
            out.printf("Ledger audit: %d VIOLATIONS%n", run.violations().size());
            run.violations().stream().limit(VIOLATIONS_SHOWN).forEach(violation -> out.println("  " + violation));
            if (run.violations().size() > VIOLATIONS_SHOWN) {
                out.printf("  ... and %d more%n", run.violations().size() - VIOLATIONS_SHOWN);
            }
        }
        out.printf(
                Locale.ROOT,
                "First deliveries counted: %,d; completed purchases: %,d; purchase credits: %,d; purchase lots: %,d;"
                        + " processed events: %,d (%s)%n",
                run.countedFirstDeliveries(),
                run.completedPurchases(),
                run.purchaseCredits(),
                run.purchaseLots(),
                run.processedEvents(),
                run.ledgerSound() ? "all equal" : "DIFFERENT");
        out.println("Targets (handle >= " + WebhooksRun.HANDLE_TARGET + " x baseline, duplicates >= "
                + WebhooksRun.DUPLICATE_TARGET + " x handle's first deliveries): "
                + (run.targetsMet() ? "all met" : "NOT all met"));
    }

    private static void ranOut(PrintStream out, String name, WebhooksRun.Side side) {
        if (side.ranOut()) {
            out.printf(
                    Locale.ROOT,
                    "%s: delivered all %,d prepared events in %.1f s, before its time was up; its figure covers that time.%n",
                    name,
                    side.prepared(),
                    side.measured().elapsed().toNanos() / 1e9);
        }
    }

    /** One line of JSON with every figure. */
    @Override
    public String json() {
        ObjectNode root = new ObjectMapper().createObjectNode();
        root.put("benchmark", "webhooks");
        root.put("database", run.database());
        root.put("threads", run.threads());
        root.put("seconds", run.seconds());
        root.put("warmup_seconds", run.warmupSeconds());
        root.put("cpus", run.cpus());
        root.put("users_per_side", WebhooksFixture.USERS_PER_SIDE);
        root.put("load_average_before", ReportFormat.round(run.loadBefore(), 2));
        root.put("load_average_after", ReportFormat.round(run.loadAfter(), 2));
        root.put("cpu_burner", dev.tokenbilling.benchmarks.CpuBurner.started());
        root.put(
                "baseline_events_per_second",
                ReportFormat.round(run.baseline().measured().perSecond(), 1));
        root.put(
                "handle_events_per_second",
                ReportFormat.round(run.handle().measured().perSecond(), 1));
        root.put(
                "duplicate_events_per_second",
                ReportFormat.round(run.duplicates().perSecond(), 1));
        root.put("handle_ratio", ReportFormat.round(run.handleRatio(), 3));
        root.put("duplicate_ratio", ReportFormat.round(run.duplicateRatio(), 3));
        root.put("handle_target_met", run.handleTargetMet());
        root.put("duplicate_target_met", run.duplicateTargetMet());
        side(root.putObject("baseline"), run.baseline());
        side(root.putObject("handle"), run.handle());
        ObjectNode duplicates = root.putObject("duplicates");
        duplicates.put("events", run.duplicates().operations());
        duplicates.put("distinct_events", run.duplicateEvents());
        duplicates.put("failures", run.duplicates().failures());
        ObjectNode targets = root.putObject("targets");
        targets.put("handle_ratio_min", WebhooksRun.HANDLE_TARGET);
        targets.put("duplicate_ratio_min", WebhooksRun.DUPLICATE_TARGET);
        root.put("ledger_violations", run.violations().size());
        root.put("counted_first_deliveries", run.countedFirstDeliveries());
        root.put("completed_purchases", run.completedPurchases());
        root.put("purchase_credits", run.purchaseCredits());
        root.put("purchase_lots", run.purchaseLots());
        root.put("processed_events", run.processedEvents());
        root.put("ledger_sound", run.ledgerSound());
        root.put("targets_met", run.targetsMet());
        return root.toString();
    }

    private static void side(ObjectNode node, WebhooksRun.Side side) {
        Throughput measured = side.measured();
        node.put("events", measured.operations());
        node.put("elapsed_seconds", ReportFormat.round(measured.elapsed().toNanos() / 1e9, 3));
        node.put("prepared_events", side.prepared());
        node.put("ran_out", side.ranOut());
        node.put("failures", measured.failures());
    }
}
