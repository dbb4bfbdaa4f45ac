package dev.tokenbilling.benchmarks;

import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A benchmark that runs on a database: opens it as the common options say, runs, closes it, then
 * prints the report (and its JSON line with {@code --json}). Progress goes to stderr.
 */
public abstract class DatabaseBenchmarkCommand implements Callable<Integer> {

    @Mixin
    protected CommonOptions options;

    @Spec
    CommandSpec spec;

    /** Runs the benchmark on {@code database} and returns its report. */
    protected abstract BenchmarkReport run(BenchmarkDatabase database) throws Exception;

    @Override
    public Integer call() throws Exception {
        options.validate(spec);
        BenchmarkReport report;
        try (BenchmarkDatabase database =
                        BenchmarkDatabase.open(options.databaseUrl(), options.threads(), options.fsyncOff());
                CpuBurner burner = CpuBurner.start(options.load())) {
            report = run(database);
        }
        report.printTable(System.out);
        if (options.json()) {
            System.out.println(report.json());
        }
        System.out.flush();
        return 0;
    }
}
