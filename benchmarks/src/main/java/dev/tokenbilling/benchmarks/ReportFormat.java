package dev.tokenbilling.benchmarks;

import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;

/** How every benchmark report prints its figures, so the tables and JSON of all benchmarks read alike. */
public final class ReportFormat {

    private ReportFormat() {}

    /** Operations per second with thousands separators and one decimal: {@code 5,612.7}. */
    public static String perSecond(Throughput throughput) {
        return perSecond(throughput.perSecond());
    }

    public static String perSecond(double perSecond) {
        return String.format(Locale.ROOT, "%,.1f", perSecond);
    }

    /** A ratio with two decimals: {@code 1.09}. */
    public static String ratio(double ratio) {
        return String.format(Locale.ROOT, "%.2f", ratio);
    }

    /** A lower bound and whether it was reached: {@code >= 0.8 met} or {@code >= 5.0 MISSED}. */
    public static String target(double minimum, boolean met) {
        return String.format(Locale.ROOT, ">= %.1f %s", minimum, met ? "met" : "MISSED");
    }

    /** An upper bound with its unit and whether the figure stayed below it: {@code < 1.5 s met}. */
    public static String below(double maximum, String unit, boolean met) {
        return String.format(
                Locale.ROOT,
                "< %s %s %s",
                BigDecimal.valueOf(maximum).stripTrailingZeros().toPlainString(),
                unit,
                met ? "met" : "MISSED");
    }

    /** A figure for JSON, rounded half-up to {@code decimals}. */
    public static BigDecimal round(double value, int decimals) {
        return BigDecimal.valueOf(value).setScale(decimals, RoundingMode.HALF_UP);
    }

    /** {@code measured / reference}, 0 when the reference did nothing. */
    public static double ratio(Throughput measured, Throughput reference) {
        return reference.perSecond() == 0 ? 0 : measured.perSecond() / reference.perSecond();
    }

    /** One line naming the first failure of a run, if it had any. */
    public static void printFirstFailure(PrintStream out, String run, Throughput throughput) {
        throughput
                .firstFailure()
                .ifPresent(
                        failure -> out.printf("%s: %d failed calls, first: %s%n", run, throughput.failures(), failure));
    }

    /** The header of every throughput report: threads and times, the database, the load. */
    public static void printHeader(PrintStream out, String benchmark, RunSettings run) {
        out.printf(
                Locale.ROOT,
                "%s benchmark: %d threads, %d s measured per run after %d s warm-up, %d CPUs%n",
                benchmark,
                run.threads(),
                run.seconds(),
                run.warmupSeconds(),
                run.cpus());
        out.printf("Database: %s (schema %s, dropped after the run)%n", run.database(), run.schema());
        if (CpuBurner.started()) {
            out.println("Load: a CPU burner (--load) kept one core busy in another process throughout");
        }
        printLoad(out, run.loadBefore(), run.loadAfter());
    }

    /** The load line every report prints under its header, followed by a blank line. */
    public static void printLoad(PrintStream out, double before, double after) {
        out.printf(
                Locale.ROOT,
                "System load average (1 min): %.2f before, %.2f after; other work on the machine skews the figures%n%n",
                before,
                after);
    }

    /** The machine's 1-minute load average, negative when the platform does not tell. */
    public static double loadAverage() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }
}
