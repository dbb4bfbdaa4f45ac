package dev.tokenbilling.benchmarks;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Another process that keeps one core busy while a benchmark runs ({@code --load}), the way a
 * compiler or a noisy neighbour does: the figures then show whether a lock holder that loses its core
 * stalls everyone queued behind it.
 */
public final class CpuBurner implements AutoCloseable {

    private static volatile boolean started;

    private final Process process;

    private CpuBurner(Process process) {
        this.process = process;
    }

    /** Starts the burner (a JVM spinning on one thread, at normal priority) when {@code on}. */
    public static CpuBurner start(boolean on) throws IOException {
        if (!on) {
            return new CpuBurner(null);
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(
                        List.of(java, "-Xmx32m", "-cp", System.getProperty("java.class.path"), Spin.class.getName()))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
        started = true;
        return new CpuBurner(process);
    }

    /** Whether a burner ran beside this benchmark (reports, printed after it stopped, say so). */
    public static boolean started() {
        return started;
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null) {
            process.destroy();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }

    /** The burner's main: spins until killed. */
    public static final class Spin {
        private static volatile long sink;

        public static void main(String[] args) {
            long x = 0;
            while (true) {
                x = x * 6364136223846793005L + 1442695040888963407L;
                if (x == 42) {
                    sink = x;
                }
            }
        }
    }
}
