package dev.tokenbilling.benchmarks.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tokenbilling.benchmarks.ReportFormat;
import java.io.PrintStream;
import java.util.Locale;

/** Prints a {@link CliRun}: a table for people, and one JSON line for scripts. */
public final class CliReport {

    private static final String ROW = "%-46s %8s %8s %10s %9s  %s%n";

    private final CliRun run;

    public CliReport(CliRun run) {
        this.run = run;
    }

    public void printTable(PrintStream out) {
        out.printf(
                Locale.ROOT,
                "CLI benchmark: %s (%.1f MB), each command as its own process, %d runs after 1 warm-up round, %d CPUs%n",
                run.cliJar(),
                run.cliJarBytes() / 1e6,
                run.runs(),
                run.cpus());
        out.printf(
                "JVM: %s (%s) with %s, as bin/billing starts it%n",
                run.java(), run.javaVersion(), String.join(" ", run.jvmOptions()));
        out.printf(
                Locale.ROOT,
                "Database: %s, schema %s: %,d purchases (%,d pending) of %,d users and %,d ledger entries of others,"
                        + " generated in %.1f s;%n",
                run.database(),
                CliFixture.SCHEMA,
                run.purchases(),
                run.pending(),
                run.users(),
                run.ledgerEntries(),
                run.generationSeconds());
        out.printf(
                "%s has 3 grants (lots), %d debits and 1 active hold. Peak RSS from %s.%n",
                CliFixture.MEASURED_USER.value(), CliFixture.MEASURED_USER_DEBITS, run.rssSource());
        ReportFormat.printLoad(out, run.loadBefore(), run.loadAfter());
        out.printf(Locale.ROOT, ROW, "command", "median s", "max s", "x java -v", "peak MiB", "target");
        for (CliCase command : CliCase.values()) {
            out.printf(
                    Locale.ROOT,
                    ROW,
                    command.label(),
                    seconds(run.medianSeconds(command)),
                    seconds(run.maxSeconds(command)),
                    ReportFormat.ratio(run.ratio(command)),
                    String.format(Locale.ROOT, "%.1f", run.peakRssMib(command)),
                    targets(command));
        }
        out.println();
        out.println(
                "median s / max s: wall time from process start to exit, JVM start included; x java -v: median against a bare");
        out.println(
                "`java -version` with the same JVM options; peak MiB: the highest peak resident memory of the runs.");
        for (CliCase command : CliCase.values()) {
            StringBuilder all = new StringBuilder();
            for (double seconds : run.allSeconds(command)) {
                all.append(all.length() == 0 ? "" : ", ").append(seconds(seconds));
            }
            out.printf("  %-46s %s%n", command.label() + ":", all);
        }
        run.problems().forEach((command, problem) -> out.printf("%s FAILED: %s%n", command.label(), problem));
        out.println("Targets (median under the time limit; database commands under " + (int) CliCase.RSS_TARGET_MIB
                + " MiB peak): " + (run.targetsMet() ? "all met" : "NOT all met"));
    }

    private String targets(CliCase command) {
        StringBuilder text = new StringBuilder();
        command.secondsTarget().ifPresent(limit -> {
            text.append(ReportFormat.below(limit, "s", run.timeTargetMet(command)));
            if (run.timeTargetMet(command) && !run.maxUnderTimeTarget(command)) {
                text.append(" (max over)");
            }
        });
        if (command.hasRssTarget()) {
            text.append(", ").append(ReportFormat.below(CliCase.RSS_TARGET_MIB, "MiB", run.rssTargetMet(command)));
        }
        return text.length() == 0 ? "(reference)" : text.toString();
    }

    private static String seconds(double seconds) {
        return String.format(Locale.ROOT, "%.3f", seconds);
    }

    /** One line of JSON with every figure. */
    public String json() {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        root.put("benchmark", "cli");
        root.put("cli_jar", run.cliJar());
        root.put("cli_jar_bytes", run.cliJarBytes());
        root.put("java", run.java());
        root.put("java_version", run.javaVersion());
        ArrayNode options = root.putArray("jvm_options");
        run.jvmOptions().forEach(options::add);
        root.put("rss_source", run.rssSource());
        root.put("database", run.database());
        root.put("purchases", run.purchases());
        root.put("pending_purchases", run.pending());
        root.put("ledger_entries", run.ledgerEntries());
        root.put("users", run.users());
        root.put("generation_seconds", ReportFormat.round(run.generationSeconds(), 1));
        root.put("runs", run.runs());
        root.put("cpus", run.cpus());
        root.put("load_average_before", ReportFormat.round(run.loadBefore(), 2));
        root.put("load_average_after", ReportFormat.round(run.loadAfter(), 2));
        ObjectNode commands = root.putObject("commands");
        for (CliCase command : CliCase.values()) {
            ObjectNode node = commands.putObject(command.key());
            node.put("command", command.label());
            node.put("median_seconds", ReportFormat.round(run.medianSeconds(command), 3));
            node.put("max_seconds", ReportFormat.round(run.maxSeconds(command), 3));
            node.put("min_seconds", ReportFormat.round(run.minSeconds(command), 3));
            ArrayNode all = node.putArray("seconds");
            for (double seconds : run.allSeconds(command)) {
                all.add(ReportFormat.round(seconds, 3));
            }
            node.put("peak_rss_mib", ReportFormat.round(run.peakRssMib(command), 1));
            node.put("ratio_to_java_version", ReportFormat.round(run.ratio(command), 2));
            command.secondsTarget().ifPresent(limit -> {
                node.put("target_seconds", limit);
                node.put("time_target_met", run.timeTargetMet(command));
                node.put("max_under_target", run.maxUnderTimeTarget(command));
            });
            if (command.hasRssTarget()) {
                node.put("target_rss_mib", CliCase.RSS_TARGET_MIB);
                node.put("rss_target_met", run.rssTargetMet(command));
            }
            node.put("failed", run.problems().containsKey(command));
            if (run.problems().containsKey(command)) {
                node.put("problem", run.problems().get(command));
            }
        }
        root.put("targets_met", run.targetsMet());
        return root.toString();
    }
}
