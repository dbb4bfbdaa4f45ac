package dev.tokenbilling.benchmarks.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs a command as a child process and measures it as a person at a shell would experience it:
 * wall time from start to exit, and peak resident memory.
 *
 * <p>Peak RSS comes from GNU time ({@code /usr/bin/time -f %M}, the kernel's maximum resident set
 * size of the child) when it is installed (Debian/Ubuntu package {@code time}); otherwise the child's
 * {@code /proc/<pid>/status} {@code VmHWM} (its high-water mark) is read every 10 ms until it exits,
 * which can miss growth in its last 10 ms.
 */
final class ChildProcess {

    static final Path GNU_TIME = Path.of("/usr/bin/time");
    private static final Duration TIMEOUT = Duration.ofMinutes(2);
    /** Variables that would change the child's JVM or database: the measured command is the one given, in a clean environment. */
    static final List<String> CLEARED_VARIABLES = List.of(
            "JAVA_TOOL_OPTIONS",
            "JDK_JAVA_OPTIONS",
            "_JAVA_OPTIONS",
            "BILLING_JAVA_OPTS",
            "BILLING_DATABASE_URL",
            "BILLING_DATABASE_USER",
            "BILLING_DATABASE_PASSWORD",
            "BILLING_HOME",
            "BILLING_KEEP_SERVER");

    /** What one run of a command did. */
    record Result(Duration wall, long peakRssKib, int exitCode, String stdout, String stderr) {

        double seconds() {
            return wall.toNanos() / 1e9;
        }

        double peakRssMib() {
            return peakRssKib / 1024.0;
        }
    }

    private final boolean gnuTime;
    private final Path scratch;

    private ChildProcess(boolean gnuTime, Path scratch) {
        this.gnuTime = gnuTime;
        this.scratch = scratch;
    }

    /** Uses GNU time if it is there and works, else polling of /proc. */
    static ChildProcess create() throws IOException {
        Path scratch = Files.createTempDirectory("bench-cli-");
        scratch.toFile().deleteOnExit();
        return new ChildProcess(gnuTimeWorks(scratch), scratch);
    }

    private static boolean gnuTimeWorks(Path scratch) {
        if (!Files.isExecutable(GNU_TIME)) {
            return false;
        }
        try {
            Path out = scratch.resolve("time-check");
            Process check = new ProcessBuilder(GNU_TIME.toString(), "-f", "%M", "-o", out.toString(), "true")
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            return check.waitFor(10, TimeUnit.SECONDS)
                    && check.exitValue() == 0
                    && Files.readString(out).trim().matches("\\d+");
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Where the peak RSS figures come from, for the report. */
    String rssSource() {
        return gnuTime ? "/usr/bin/time (maximum resident set size)" : "/proc/<pid>/status VmHWM polled every 10 ms";
    }

    boolean usesGnuTime() {
        return gnuTime;
    }

    Result run(List<String> command) throws IOException, InterruptedException {
        return run(command, Map.of());
    }

    /** Runs {@code command} with {@code variables} added to its cleaned environment. */
    Result run(List<String> command, Map<String, String> variables) throws IOException, InterruptedException {
        Path stdout = scratch.resolve("stdout");
        Path stderr = scratch.resolve("stderr");
        Path time = scratch.resolve("time");
        Files.deleteIfExists(time);
        List<String> full = new ArrayList<>();
        if (gnuTime) {
            full.addAll(List.of(GNU_TIME.toString(), "-f", "%M", "-o", time.toString()));
        }
        full.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(full)
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Map<String, String> environment = builder.environment();
        CLEARED_VARIABLES.forEach(environment::remove);
        environment.putAll(variables);
        long started = System.nanoTime();
        Process process = builder.start();
        long peak = gnuTime ? 0 : pollPeak(process);
        if (!process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(
                    "did not finish within " + TIMEOUT.toSeconds() + " s: " + String.join(" ", command));
        }
        Duration wall = Duration.ofNanos(System.nanoTime() - started);
        if (gnuTime) {
            peak = Files.exists(time) ? parseKib(Files.readAllLines(time)) : 0;
        }
        return new Result(
                wall,
                peak,
                process.exitValue(),
                Files.readString(stdout, StandardCharsets.UTF_8),
                Files.readString(stderr, StandardCharsets.UTF_8));
    }

    /** GNU time writes "Command exited with non-zero status N" before the figure when the command fails: the last number wins. */
    private static long parseKib(List<String> lines) {
        for (int i = lines.size() - 1; i >= 0; i--) {
            String line = lines.get(i).trim();
            if (line.matches("\\d+")) {
                return Long.parseLong(line);
            }
        }
        return 0;
    }

    /** Reads VmHWM until the process is gone; returns the highest value seen, in KiB. */
    private static long pollPeak(Process process) throws InterruptedException {
        Path status = Path.of("/proc", Long.toString(process.pid()), "status");
        long peak = 0;
        while (process.isAlive()) {
            peak = Math.max(peak, vmHwm(status).orElse(0L));
            Thread.sleep(10);
        }
        return peak;
    }

    private static Optional<Long> vmHwm(Path status) {
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("VmHWM:")) {
                    return Optional.of(Long.parseLong(line.replaceAll("[^0-9]", "")));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // the process ended between the check and the read
        }
        return Optional.empty();
    }
}
