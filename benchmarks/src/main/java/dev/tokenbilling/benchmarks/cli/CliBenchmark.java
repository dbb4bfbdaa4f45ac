package dev.tokenbilling.benchmarks.cli;

import dev.tokenbilling.benchmarks.BenchmarkDatabase;
import dev.tokenbilling.benchmarks.ReportFormat;
import dev.tokenbilling.embedded.EmbeddedDatabase;
import dev.tokenbilling.embedded.EmbeddedServer;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Runs the CLI benchmark: starts a temporary embedded PostgreSQL, generates the purchases, then runs
 * each command as its own {@code java -jar billing.jar} process, with the JVM options of
 * {@code bin/billing}, once to warm the file cache and then {@code runs} times, the commands taking
 * turns so that other load on the machine falls on all of them alike. A bare {@code java -version}
 * with the same JVM options is the reference.
 */
public final class CliBenchmark {

    /** The options bin/billing starts the CLI with: C1 only, the JDK's class-data sharing, the serial collector. */
    static final List<String> JVM_OPTIONS =
            List.of("-XX:TieredStopAtLevel=1", "-Xshare:auto", "-XX:+UseSerialGC", "-XX:-UsePerfData");

    private final Path cliJar;
    private final long purchases;
    private final long ledgerEntries;
    private final int runs;
    private final PrintStream progress;

    public CliBenchmark(Path cliJar, long purchases, long ledgerEntries, int runs, PrintStream progress) {
        this.cliJar = cliJar;
        this.purchases = purchases;
        this.ledgerEntries = ledgerEntries;
        this.runs = runs;
        this.progress = progress;
    }

    public CliRun run() throws Exception {
        double loadBefore = ReportFormat.loadAverage();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ChildProcess children = ChildProcess.create();
        Path home = Files.createTempDirectory("bench-cli-home-");
        try (EmbeddedDatabase database = EmbeddedDatabase.startTemporary()) {
            progress.printf("embedded PostgreSQL on port %d%n", database.port());
            CliFixture fixture = CliFixture.create(database.dataSource());
            long start = System.nanoTime();
            fixture.generatePurchases(purchases);
            new dev.tokenbilling.benchmarks.Prefill(database.dataSource(), CliFixture.SCHEMA, progress)
                    .fill(ledgerEntries, 0);
            double generationSeconds = (System.nanoTime() - start) / 1e9;
            fixture.fundMeasuredUser();
            long pending = fixture.count("SELECT count(*) FROM {schema}.token_purchase WHERE status = 'pending'");
            progress.printf(
                    Locale.ROOT,
                    "generated %,d purchases (%,d pending) in %.1f s%n",
                    purchases,
                    pending,
                    generationSeconds);

            String url = "jdbc:postgresql://127.0.0.1:" + database.port() + "/postgres?user=postgres";
            List<String> cli = new ArrayList<>(List.of(java));
            cli.addAll(JVM_OPTIONS);
            appArchive().ifPresent(archive -> {
                progress.printf("class-data archive of bin/billing: %s%n", archive);
                cli.add("-XX:SharedArchiveFile=" + archive);
                cli.add("-Xlog:cds*=off");
            });
            cli.addAll(List.of("-jar", cliJar.toString()));
            List<String> databaseOptions = List.of("--database-url", url, "--schema", CliFixture.SCHEMA);

            Map<CliCase, List<String>> commands = new LinkedHashMap<>();
            List<String> bare = new ArrayList<>(List.of(java));
            bare.addAll(JVM_OPTIONS);
            bare.add("-version");
            commands.put(CliCase.JAVA_VERSION, bare);
            commands.put(CliCase.HELP, concat(cli, List.of("--help")));
            commands.put(
                    CliCase.PURCHASES,
                    concat(cli, databaseOptions, List.of("purchases", "--status", "pending", "--limit", "50")));
            commands.put(
                    CliCase.BALANCE,
                    concat(cli, databaseOptions, List.of("balance", CliFixture.MEASURED_USER.value())));
            // No URL: the embedded PostgreSQL the CLI keeps under BILLING_HOME, seeded (and started) here.
            commands.put(CliCase.KEPT_SERVER_PACKAGES, concat(cli, List.of("packages")));
            Map<String, String> keptHome = Map.of("BILLING_HOME", home.toString());
            ChildProcess.Result seeded = children.run(concat(cli, List.of("seed")), keptHome);
            if (seeded.exitCode() != 0) {
                throw new IllegalStateException("billing seed on the kept embedded server failed: " + seeded.stderr());
            }

            Map<CliCase, List<ChildProcess.Result>> results = new LinkedHashMap<>();
            Map<CliCase, String> problems = new LinkedHashMap<>();
            commands.keySet().forEach(c -> results.put(c, new ArrayList<>()));
            for (int round = 0; round <= runs; round++) {
                for (Map.Entry<CliCase, List<String>> command : commands.entrySet()) {
                    ChildProcess.Result result = children.run(
                            command.getValue(), command.getKey() == CliCase.KEPT_SERVER_PACKAGES ? keptHome : Map.of());
                    String problem = check(command.getKey(), result);
                    if (problem != null) {
                        problems.putIfAbsent(command.getKey(), problem);
                    }
                    if (round > 0) {
                        results.get(command.getKey()).add(result);
                    }
                }
                progress.printf("%s%n", round == 0 ? "warm-up round done" : "round " + round + " of " + runs + " done");
            }
            return new CliRun(
                    cliJar.toString(),
                    Files.size(cliJar),
                    java,
                    System.getProperty("java.version"),
                    JVM_OPTIONS,
                    children.rssSource(),
                    "embedded " + BenchmarkDatabase.serverVersion(database.dataSource()) + " (temporary, fsync off)",
                    purchases,
                    ledgerEntries,
                    pending,
                    CliFixture.USERS,
                    generationSeconds,
                    runs,
                    Runtime.getRuntime().availableProcessors(),
                    results,
                    problems,
                    loadBefore,
                    ReportFormat.loadAverage());
        } finally {
            new EmbeddedServer(home.resolve("postgres")).stop();
        }
    }

    /** The class-data archive bin/billing made for this jar (beside it, newer than it), if any. */
    private java.util.Optional<Path> appArchive() throws java.io.IOException {
        Path directory = cliJar.getParent();
        if (directory == null || !Files.isDirectory(directory)) {
            return java.util.Optional.empty();
        }
        var jarTime = Files.getLastModifiedTime(cliJar);
        try (var files = Files.list(directory)) {
            return files.filter(file -> file.getFileName().toString().matches("billing-cds-.*\\.jsa"))
                    .filter(file -> {
                        try {
                            return Files.getLastModifiedTime(file).compareTo(jarTime) > 0;
                        } catch (java.io.IOException e) {
                            return false;
                        }
                    })
                    .findFirst();
        }
    }

    /** Null when the run did what the command should; else what went wrong. */
    private static String check(CliCase command, ChildProcess.Result result) {
        if (result.exitCode() != 0) {
            return "exit code " + result.exitCode() + ": "
                    + firstLine(result.stderr().isBlank() ? result.stdout() : result.stderr());
        }
        Predicate<String> expected = switch (command) {
            case JAVA_VERSION -> out -> true;
            case HELP -> out -> out.contains("Usage:") && out.contains("purchases");
            // The table's header and one row per purchase, every one of them pending.
            case PURCHASES ->
                out -> out.lines().filter(line -> line.contains(" pending ")).count() == 50;
            case BALANCE -> out -> out.contains(CliFixture.MEASURED_USER.value()) && out.contains("Open lots");
            case KEPT_SERVER_PACKAGES -> out -> out.contains("Starter") && out.contains("Booster");
        };
        return expected.test(result.stdout()) ? null : "unexpected output: " + firstLine(result.stdout());
    }

    private static String firstLine(String text) {
        return text.lines().filter(line -> !line.isBlank()).findFirst().orElse("(nothing)");
    }

    @SafeVarargs
    private static List<String> concat(List<String>... parts) {
        List<String> all = new ArrayList<>();
        for (List<String> part : parts) {
            all.addAll(part);
        }
        return all;
    }
}
