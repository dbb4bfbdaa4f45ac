package dev.tokenbilling.benchmarks.cli;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Everything a CLI run measured, ready to print.
 *
 * @param ledgerEntries other users' ledger entries written before the runs ({@code --entries})
 * @param results each command's measured runs (the warm-up round excluded)
 * @param problems the first failed or unexpected run of each command that had one
 */
public record CliRun(
        String cliJar,
        long cliJarBytes,
        String java,
        String javaVersion,
        List<String> jvmOptions,
        String rssSource,
        String database,
        long purchases,
        long ledgerEntries,
        long pending,
        int users,
        double generationSeconds,
        int runs,
        int cpus,
        Map<CliCase, List<ChildProcess.Result>> results,
        Map<CliCase, String> problems,
        double loadBefore,
        double loadAfter) {

    public CliRun {
        jvmOptions = List.copyOf(jvmOptions);
        results = Map.copyOf(results);
        problems = Map.copyOf(problems);
    }

    double medianSeconds(CliCase command) {
        double[] seconds = results.get(command).stream()
                .mapToDouble(ChildProcess.Result::seconds)
                .sorted()
                .toArray();
        int n = seconds.length;
        return n == 0 ? 0 : n % 2 == 1 ? seconds[n / 2] : (seconds[n / 2 - 1] + seconds[n / 2]) / 2;
    }

    double maxSeconds(CliCase command) {
        return results.get(command).stream()
                .mapToDouble(ChildProcess.Result::seconds)
                .max()
                .orElse(0);
    }

    double minSeconds(CliCase command) {
        return results.get(command).stream()
                .mapToDouble(ChildProcess.Result::seconds)
                .min()
                .orElse(0);
    }

    /** The highest peak RSS over the runs: memory limits are hard, so the worst run counts. */
    double peakRssMib(CliCase command) {
        return results.get(command).stream()
                .mapToDouble(ChildProcess.Result::peakRssMib)
                .max()
                .orElse(0);
    }

    double[] allSeconds(CliCase command) {
        return results.get(command).stream()
                .mapToDouble(ChildProcess.Result::seconds)
                .toArray();
    }

    /** The command's median against a bare JVM start's median. */
    double ratio(CliCase command) {
        double reference = medianSeconds(CliCase.JAVA_VERSION);
        return reference == 0 ? 0 : medianSeconds(command) / reference;
    }

    /** True when the command has a time target and its median is under it (and it never failed). */
    boolean timeTargetMet(CliCase command) {
        return command.secondsTarget()
                .map(limit -> medianSeconds(command) < limit && !problems.containsKey(command))
                .orElse(true);
    }

    boolean maxUnderTimeTarget(CliCase command) {
        return command.secondsTarget().map(limit -> maxSeconds(command) < limit).orElse(true);
    }

    boolean rssTargetMet(CliCase command) {
        return !command.hasRssTarget() || peakRssMib(command) < CliCase.RSS_TARGET_MIB;
    }

    boolean targetsMet() {
        return problems.isEmpty() && Arrays.stream(CliCase.values()).allMatch(c -> timeTargetMet(c) && rssTargetMet(c));
    }
}
