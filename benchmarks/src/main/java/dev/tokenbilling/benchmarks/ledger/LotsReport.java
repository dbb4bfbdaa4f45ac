package dev.tokenbilling.benchmarks.ledger;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenbilling.benchmarks.BenchmarkReport;
import dev.tokenbilling.benchmarks.ReportFormat;
import java.io.PrintStream;
import java.util.Locale;

/** Prints a {@link LotsRun}: a table for people, and one JSON line for scripts. */
public final class LotsReport implements BenchmarkReport {

    private static final int VIOLATIONS_SHOWN = 20;
    private static final String ROW = "%-24s %14s  %10s  %-13s %9s %8s%n";

    private final LotsRun run;

    public LotsReport(LotsRun run) {
        this.run = run;
    }

    @Override
    public void printTable(PrintStream out) {
        ReportFormat.printHeader(out, "Lots", run);
        out.printf(
                Locale.ROOT,
                "Each run debits its own %,d users, all funded alike: user i holds 1 + (i mod %d) lots, up to %d small grants%n",
                run.usersPerRun(),
                LotLayout.MAX_LOTS,
                LotLayout.MAX_LOTS - 1);
        out.printf(
                Locale.ROOT,
                "(21-91 tokens, priorities -1..1, every other one expiring) drawn before one large grant; %,d grants in %.1f s.%n",
                run.grants(),
                run.fundingSeconds());
        out.printf(
                Locale.ROOT,
                "Every debit is %d tokens; a pair holds %d tokens and settles %d.%n%n",
                LedgerBenchmark.DEBIT_TOKENS,
                ReserveSettle.HOLD_TOKENS,
                LedgerBenchmark.DEBIT_TOKENS);
        out.printf(Locale.ROOT, ROW, "run", "per second", "x baseline", "target", "spanning", "failures");
        out.printf(
                Locale.ROOT,
                ROW,
                "raw-JDBC baseline",
                ReportFormat.perSecond(run.baseline()),
                "1.00",
                "",
                percent(LotsRun.share(run.baselineSpans(), run.baseline())),
                run.baseline().failures());
        out.printf(
                Locale.ROOT,
                ROW,
                "consume",
                ReportFormat.perSecond(run.consume()),
                ReportFormat.ratio(run.consumeRatio()),
                ReportFormat.target(LotsRun.CONSUME_TARGET, run.consumeTargetMet()),
                percent(LotsRun.share(run.consumeSpans(), run.consume())),
                run.consume().failures());
        out.printf(
                Locale.ROOT,
                ROW,
                "reserve+settle (pairs)",
                ReportFormat.perSecond(run.pairs()),
                ReportFormat.ratio(run.pairsRatio()),
                ReportFormat.target(LotsRun.PAIRS_TARGET, run.pairsTargetMet()),
                percent(LotsRun.share(run.pairSpans(), run.pairs())),
                run.pairs().failures());
        out.println();
        out.println(
                "per second: debits committed per second; for reserve+settle, completed pairs (a hold and its settling debit) per second.");
        out.println(
                "spanning: share of the run's debits that crossed a lot boundary (emptied one lot and drew from the next).");
        ReportFormat.printFirstFailure(out, "baseline", run.baseline());
        ReportFormat.printFirstFailure(out, "consume", run.consume());
        ReportFormat.printFirstFailure(out, "reserve+settle", run.pairs());
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
                "Usage entries in the ledger: %,d; debits and settles counted by the runs: %,d (%s); holds left active: %d%n",
                run.usageEntries(),
                run.countedDebits(),
                run.usageEntries() == run.countedDebits() ? "equal" : "DIFFERENT",
                run.activeHolds());
        out.println("Targets (consume >= " + LotsRun.CONSUME_TARGET + " x baseline, reserve+settle pairs >= "
                + LotsRun.PAIRS_TARGET + " x baseline, with up to " + LotLayout.MAX_LOTS + " lots per user): "
                + (run.targetsMet() ? "met" : "NOT all met"));
    }

    /** One line of JSON with every figure. */
    @Override
    public String json() {
        ObjectNode root = new ObjectMapper().createObjectNode();
        root.put("benchmark", "lots");
        root.put("database", run.database());
        root.put("threads", run.threads());
        root.put("seconds", run.seconds());
        root.put("warmup_seconds", run.warmupSeconds());
        root.put("cpus", run.cpus());
        root.put("users_per_run", run.usersPerRun());
        root.put("max_lots_per_user", LotLayout.MAX_LOTS);
        root.put("debit_tokens", LedgerBenchmark.DEBIT_TOKENS);
        root.put("hold_tokens", ReserveSettle.HOLD_TOKENS);
        root.put("grants", run.grants());
        root.put("funding_seconds", ReportFormat.round(run.fundingSeconds(), 1));
        root.put("load_average_before", ReportFormat.round(run.loadBefore(), 2));
        root.put("load_average_after", ReportFormat.round(run.loadAfter(), 2));
        root.put("cpu_burner", dev.tokenbilling.benchmarks.CpuBurner.started());
        root.put("baseline_ops", ReportFormat.round(run.baseline().perSecond(), 1));
        root.put("consume_ops", ReportFormat.round(run.consume().perSecond(), 1));
        root.put("reserve_settle_pairs", ReportFormat.round(run.pairs().perSecond(), 1));
        root.put("consume_ratio", ReportFormat.round(run.consumeRatio(), 3));
        root.put("reserve_settle_ratio", ReportFormat.round(run.pairsRatio(), 3));
        root.put("consume_target_met", run.consumeTargetMet());
        root.put("baseline_spanning_share", ReportFormat.round(LotsRun.share(run.baselineSpans(), run.baseline()), 4));
        root.put("consume_spanning_share", ReportFormat.round(LotsRun.share(run.consumeSpans(), run.consume()), 4));
        root.put("reserve_settle_spanning_share", ReportFormat.round(LotsRun.share(run.pairSpans(), run.pairs()), 4));
        root.put("baseline_failures", run.baseline().failures());
        root.put("consume_failures", run.consume().failures());
        root.put("reserve_settle_failures", run.pairs().failures());
        root.putObject("targets")
                .put("consume_ratio_min", LotsRun.CONSUME_TARGET)
                .put("reserve_settle_ratio_min", LotsRun.PAIRS_TARGET);
        root.put("reserve_settle_target_met", run.pairsTargetMet());
        root.put("ledger_violations", run.violations().size());
        root.put("usage_entries", run.usageEntries());
        root.put("counted_debits", run.countedDebits());
        root.put("active_holds", run.activeHolds());
        root.put("ledger_sound", run.ledgerSound());
        root.put("targets_met", run.targetsMet());
        return root.toString();
    }

    private static String percent(double share) {
        return String.format(Locale.ROOT, "%.1f%%", share * 100);
    }
}
