package dev.tokenbilling.benchmarks.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code benchmarks cli}: whole-process time and peak memory of {@code billing purchases --status
 * pending --limit 50}, {@code billing balance USER} and {@code billing --help} against a database of N
 * generated purchases, next to a bare JVM start.
 */
@Command(
        name = "cli",
        mixinStandardHelpOptions = true,
        versionProvider = dev.tokenbilling.benchmarks.BenchmarksCommand.Version.class,
        description = {
            "Starts a temporary embedded PostgreSQL, generates N purchases, and times whole `java -jar billing.jar` processes"
                    + " (JVM options of bin/billing): purchases --status pending --limit 50 and balance USER (targets < 1 s each,"
                    + " < 256 MiB peak RSS), --help (< 0.3 s), and packages on the embedded PostgreSQL the CLI keeps running"
                    + " under a temporary BILLING_HOME (< 0.5 s; seeded, which starts it, before the rounds),"
                    + " next to `java -version` with the same JVM options. Uses bin/billing's class-data archive beside the jar if"
                    + " there is one.",
            "Build the CLI first: ./mvnw -q -pl billing-cli -am package -DskipTests. Progress goes to stderr."
        })
public final class CliCommand implements Callable<Integer> {

    static final Path DEFAULT_JAR = Path.of("billing-cli", "target", "billing.jar");

    @Option(
            names = "--purchases",
            paramLabel = "N",
            defaultValue = "1000000",
            description = "Purchases to generate (default: ${DEFAULT-VALUE}).")
    long purchases;

    @Option(
            names = "--entries",
            paramLabel = "N",
            defaultValue = "0",
            description =
                    "Ledger entries of other users to generate besides (e.g. 10000000; default: ${DEFAULT-VALUE}).")
    long ledgerEntries;

    @Option(
            names = "--runs",
            paramLabel = "N",
            defaultValue = "5",
            description = "Measured runs of each command, after one warm-up round (default: ${DEFAULT-VALUE}).")
    int runs;

    @Option(
            names = "--cli-jar",
            paramLabel = "PATH",
            description =
                    "The CLI jar (default: billing-cli/target/billing.jar under the current directory, else next to this jar's module).")
    Path cliJar;

    @Option(names = "--json", description = "Also print one JSON object with every figure as the last line of stdout.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (purchases < 100 || purchases > 100_000_000) {
            throw new ParameterException(
                    spec.commandLine(), "--purchases must be between 100 and 100,000,000, was " + purchases);
        }
        if (runs < 1 || runs > 100) {
            throw new ParameterException(spec.commandLine(), "--runs must be between 1 and 100, was " + runs);
        }
        Path jar = Optional.ofNullable(cliJar)
                .or(CliCommand::findJar)
                .orElseThrow(() -> new ParameterException(
                        spec.commandLine(),
                        "no " + DEFAULT_JAR + " here or next to the benchmarks module: build it with"
                                + " ./mvnw -q -pl billing-cli -am package -DskipTests, or give --cli-jar PATH"));
        if (!Files.isRegularFile(jar)) {
            throw new ParameterException(spec.commandLine(), "--cli-jar " + jar + " is not a file");
        }
        CliRun run =
                new CliBenchmark(jar.toAbsolutePath().normalize(), purchases, ledgerEntries, runs, System.err).run();
        CliReport report = new CliReport(run);
        report.printTable(System.out);
        if (json) {
            System.out.println(report.json());
        }
        System.out.flush();
        return 0;
    }

    /** billing-cli/target/billing.jar under the working directory, else under the repository this benchmarks jar was built in. */
    private static Optional<Path> findJar() {
        if (Files.isRegularFile(DEFAULT_JAR)) {
            return Optional.of(DEFAULT_JAR);
        }
        try {
            Path self = Path.of(CliCommand.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            // <repo>/benchmarks/target/benchmarks.jar -> <repo>/billing-cli/target/billing.jar
            Path repository = self.getParent() == null
                    ? null
                    : self.getParent().getParent() == null
                            ? null
                            : self.getParent().getParent().getParent();
            return Optional.ofNullable(repository)
                    .map(root -> root.resolve(DEFAULT_JAR))
                    .filter(Files::isRegularFile);
        } catch (Exception e) {
            return Optional.empty();
        }
    }
}
