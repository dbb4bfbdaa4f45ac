package dev.tokenbilling.benchmarks;

/**
 * The unit of work one worker thread repeats. An instance belongs to one thread, so it may keep
 * per-thread state (connections, prepared statements, counters) without synchronisation.
 */
public interface Operation {

    /** Does one unit of work; returns how many operations it completed (e.g. debits in a batch). */
    int runOnce() throws Exception;

    /**
     * Thrown by {@link #runOnce()} when the operation has no prepared work left (e.g. every signed
     * webhook event of the run was delivered): the thread stops early, which is neither a failure nor
     * an operation, and the run's time ends when the last thread stops.
     */
    final class Exhausted extends Exception {

        public Exhausted() {
            super("no prepared work left", null, false, false);
        }
    }

    /** Releases per-thread resources after the run (not {@code AutoCloseable}: callers use finally). */
    default void release() throws Exception {}

    /** Creates the {@link Operation} of each worker thread. */
    @FunctionalInterface
    interface Factory {

        /** Called on the worker thread before the clock starts. */
        Operation open(int threadIndex) throws Exception;
    }
}
