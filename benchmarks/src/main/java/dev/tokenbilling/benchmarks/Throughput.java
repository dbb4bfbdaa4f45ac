package dev.tokenbilling.benchmarks;

import java.time.Duration;
import java.util.Optional;

/**
 * What one timed run achieved: completed operations over the wall-clock time from the start signal
 * until the last worker finished, and the calls that failed (their operations are not counted).
 */
public record Throughput(long operations, Duration elapsed, long failures, Optional<String> firstFailure) {

    public double perSecond() {
        return elapsed.isZero() ? 0 : operations / (elapsed.toNanos() / 1e9);
    }
}
