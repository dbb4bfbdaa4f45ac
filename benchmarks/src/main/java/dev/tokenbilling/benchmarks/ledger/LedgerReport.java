package dev.tokenbilling.benchmarks.ledger;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenbilling.benchmarks.BenchmarkReport;
import dev.tokenbilling.benchmarks.ReportFormat;
import dev.tokenbilling.benchmarks.Throughput;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.util.Locale;

/** Prints a {@link LedgerRun}: a table for people, and one JSON line for scripts. */
public final class LedgerReport implements BenchmarkReport {

    /** Enough violations to see the pattern; the count says how many there are. */
    private static final int VIOLATIONS_SHOWN = 20;

    private static final String ROW = "%-12s %-19s %14s  %10s  %-13s %8s%n";

    private final LedgerRun run;

    public LedgerReport(LedgerRun run) {
        this.run = run;
    }

    @Override
    public void printTable(PrintStream out) {
        ReportFormat.printHeader(out, "Ledger", run);
        if (run.prefilledEntries() > 0 || run.prefilledPurchases() > 0) {
            out.printf(
                    java.util.Locale.ROOT,
                    "Prefilled: %,d ledger entries and %,d purchases of other users before the runs%n%n",
                    run.prefilledEntries(),
                    run.prefilledPurchases());
        }
        out.printf(Locale.ROOT, ROW, "case", "run", "per second", "x baseline", "target", "failures");
        for (LedgerCaseResult result : run.cases()) {
            String key = result.ledgerCase().key();
            out.printf(
                    Locale.ROOT,
                    ROW,
                    key,
                    "raw-JDBC baseline",
                    perSecond(result.baseline()),
                    "1.00",
                    "",
                    result.baseline().failures());
            out.printf(
                    Locale.ROOT,
                    ROW,
                    "",
                    "consume",
                    perSecond(result.consume()),
                    ratio(result.consumeRatio()),
                    target(LedgerCaseResult.CONSUME_TARGET, result.consumeTargetMet()),
                    result.consume().failures());
            out.printf(
                    Locale.ROOT,
                    ROW,
                    "",
                    "consumeBatch(" + run.batchSize() + ")",
                    perSecond(result.batch()),
                    ratio(result.batchRatio()),
                    target(result.ledgerCase().batchTarget(), result.batchTargetMet()),
                    result.batch().failures());
        }
        out.println();
        out.println("per second: debits committed per second (for consumeBatch, debited items, not calls).");
        for (LedgerCaseResult result : run.cases()) {
            printFirstFailure(out, result.ledgerCase().key() + " baseline", result.baseline());
            printFirstFailure(out, result.ledgerCase().key() + " consume", result.consume());
            printFirstFailure(out, result.ledgerCase().key() + " consumeBatch", result.batch());
        }
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
                "Usage entries in the ledger: %,d; debits counted by the runs: %,d (%s)%n",
                run.usageEntries(),
                run.countedDebits(),
                run.usageEntries() == run.countedDebits() ? "equal" : "DIFFERENT");
        out.println("Targets (consume >= " + LedgerCaseResult.CONSUME_TARGET + " x baseline; consumeBatch >= "
                + LedgerCase.MANY_USERS_BATCH_TARGET + " x baseline for many users, >= "
                + LedgerCase.HOT_USER_BATCH_TARGET
                + " x for the hot user): "
                + (run.targetsMet() ? "all met" : "NOT all met"));
    }

    private static void printFirstFailure(PrintStream out, String run, Throughput throughput) {
        ReportFormat.printFirstFailure(out, run, throughput);
    }

    /** One line of JSON with every figure; the ops and ratio names are stable for scripts. */
    @Override
    public String json() {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        root.put("benchmark", "ledger");
        root.put("database", run.database());
        root.put("threads", run.threads());
        root.put("seconds", run.seconds());
        root.put("warmup_seconds", run.warmupSeconds());
        root.put("cpus", run.cpus());
        root.put("batch_size", run.batchSize());
        root.put("load_average_before", round(run.loadBefore(), 2));
        root.put("load_average_after", round(run.loadAfter(), 2));
        root.put("cpu_burner", dev.tokenbilling.benchmarks.CpuBurner.started());
        root.put("prefilled_entries", run.prefilledEntries());
        root.put("prefilled_purchases", run.prefilledPurchases());
        ObjectNode cases = root.putObject("cases");
        for (LedgerCaseResult result : run.cases()) {
            ObjectNode node = cases.putObject(result.ledgerCase().key());
            node.put("users", result.ledgerCase().users().size());
            node.put("baseline_ops", round(result.baseline().perSecond(), 1));
            node.put("consume_ops", round(result.consume().perSecond(), 1));
            node.put("consume_batch_debits", round(result.batch().perSecond(), 1));
            node.put("consume_ratio", round(result.consumeRatio(), 3));
            node.put("batch_ratio", round(result.batchRatio(), 3));
            node.put("consume_target_met", result.consumeTargetMet());
            node.put("batch_target_met", result.batchTargetMet());
            node.put("baseline_failures", result.baseline().failures());
            node.put("consume_failures", result.consume().failures());
            node.put("batch_failures", result.batch().failures());
        }
        ObjectNode targets = root.putObject("targets");
        targets.put("consume_ratio_min", LedgerCaseResult.CONSUME_TARGET);
        targets.put("batch_ratio_min", LedgerCase.MANY_USERS_BATCH_TARGET);
        targets.put("batch_ratio_min_hot_user", LedgerCase.HOT_USER_BATCH_TARGET);
        root.put("ledger_violations", run.violations().size());
        root.put("usage_entries", run.usageEntries());
        root.put("counted_debits", run.countedDebits());
        root.put("ledger_sound", run.ledgerSound());
        root.put("targets_met", run.targetsMet());
        return root.toString();
    }

    private static String perSecond(Throughput throughput) {
        return ReportFormat.perSecond(throughput);
    }

    private static String ratio(double ratio) {
        return ReportFormat.ratio(ratio);
    }

    private static String target(double minimum, boolean met) {
        return ReportFormat.target(minimum, met);
    }

    private static BigDecimal round(double value, int decimals) {
        return ReportFormat.round(value, decimals);
    }
}
