package dev.tokenbilling.benchmarks.ledger;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenbilling.benchmarks.BenchmarkReport;
import java.io.PrintStream;
import java.util.Locale;

/**
 * {@code ledger --topology citus --compare-single-node}: the run on the cluster, the same run with the
 * tables on the coordinator alone (one node, same server and settings), and the cluster's figures as
 * a ratio of the single node's. The JSON is the cluster run's, with {@code single_node} and
 * {@code vs_single_node} added.
 */
final class TopologyComparisonReport implements BenchmarkReport {

    private static final String ROW = "%-12s %-14s %14s  %14s  %8s%n";

    private final LedgerRun cluster;
    private final LedgerRun singleNode;

    TopologyComparisonReport(LedgerRun cluster, LedgerRun singleNode) {
        this.cluster = cluster;
        this.singleNode = singleNode;
    }

    @Override
    public void printTable(PrintStream out) {
        new LedgerReport(cluster).printTable(out);
        out.println();
        new LedgerReport(singleNode).printTable(out);
        out.println();
        out.println("Citus cluster against one node (the same run, the tables on the coordinator alone)");
        out.printf(Locale.ROOT, ROW, "case", "run", "cluster /s", "one node /s", "ratio");
        for (int i = 0; i < cluster.cases().size(); i++) {
            LedgerCaseResult on = cluster.cases().get(i);
            LedgerCaseResult one = singleNode.cases().get(i);
            row(
                    out,
                    on.ledgerCase().key(),
                    "baseline",
                    on.baseline().perSecond(),
                    one.baseline().perSecond());
            row(out, "", "consume", on.consume().perSecond(), one.consume().perSecond());
            row(out, "", "consumeBatch", on.batch().perSecond(), one.batch().perSecond());
        }
    }

    private static void row(PrintStream out, String key, String run, double cluster, double one) {
        out.printf(
                Locale.ROOT,
                ROW,
                key,
                run,
                String.format(Locale.ROOT, "%,.0f", cluster),
                String.format(Locale.ROOT, "%,.0f", one),
                String.format(Locale.ROOT, "%.2f", one == 0 ? 0 : cluster / one));
    }

    @Override
    public String json() {
        try {
            ObjectMapper mapper = new ObjectMapper();
            ObjectNode root = (ObjectNode) mapper.readTree(new LedgerReport(cluster).json());
            root.set("single_node", mapper.readTree(new LedgerReport(singleNode).json()));
            ObjectNode ratios = root.putObject("vs_single_node");
            for (int i = 0; i < cluster.cases().size(); i++) {
                LedgerCaseResult on = cluster.cases().get(i);
                LedgerCaseResult one = singleNode.cases().get(i);
                ObjectNode node = ratios.putObject(on.ledgerCase().key());
                node.put(
                        "baseline_ratio",
                        ratio(on.baseline().perSecond(), one.baseline().perSecond()));
                node.put(
                        "consume_ratio",
                        ratio(on.consume().perSecond(), one.consume().perSecond()));
                node.put(
                        "batch_ratio", ratio(on.batch().perSecond(), one.batch().perSecond()));
            }
            return mapper.writeValueAsString(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static double ratio(double cluster, double one) {
        return one == 0 ? 0 : Math.round(cluster / one * 1000) / 1000.0;
    }
}
