package dev.tokenbilling.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs an {@link Operation} on N threads for a fixed duration and counts what they completed.
 * All threads open their operation first, then start together; each stops at the shared deadline
 * after finishing the call in progress. A failing call is counted as a failure and the thread
 * carries on, so one bad call does not end a run. An operation that runs out of prepared work
 * ({@link Operation.Exhausted}) stops its thread early; the run then ends when the last thread stops.
 */
public final class ThroughputRunner {

    private final int threads;

    public ThroughputRunner(int threads) {
        this.threads = threads;
    }

    public Throughput run(String name, Duration duration, Operation.Factory factory) {
        CountDownLatch ready = new CountDownLatch(threads);
        CountDownLatch start = new CountDownLatch(1);
        AtomicLong deadline = new AtomicLong();
        AtomicLong operations = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        AtomicReference<String> firstFailure = new AtomicReference<>();
        AtomicReference<Throwable> setupFailure = new AtomicReference<>();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int index = t;
            Thread worker = new Thread(
                    () -> {
                        Operation operation = open(factory, index, setupFailure, ready);
                        try {
                            start.await();
                            if (operation != null) {
                                operations.addAndGet(repeatUntil(deadline.get(), operation, failures, firstFailure));
                            }
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        } finally {
                            release(operation);
                        }
                    },
                    name + "-" + t);
            workers.add(worker);
            worker.start();
        }
        try {
            ready.await();
            if (setupFailure.get() != null) {
                start.countDown();
                joinAll(workers);
                throw new IllegalStateException(
                        name + ": a worker could not start: " + describe(setupFailure.get()), setupFailure.get());
            }
            long started = System.nanoTime();
            deadline.set(started + duration.toNanos());
            start.countDown();
            joinAll(workers);
            Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
            return new Throughput(operations.get(), elapsed, failures.get(), Optional.ofNullable(firstFailure.get()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(name + " was interrupted", e);
        }
    }

    private static long repeatUntil(
            long deadline, Operation operation, AtomicLong failures, AtomicReference<String> firstFailure) {
        long done = 0;
        while (System.nanoTime() - deadline < 0) {
            try {
                done += operation.runOnce();
            } catch (Operation.Exhausted e) {
                break;
            } catch (Exception e) {
                failures.incrementAndGet();
                firstFailure.compareAndSet(null, describe(e));
            }
        }
        return done;
    }

    private static void release(Operation operation) {
        if (operation == null) {
            return;
        }
        try {
            operation.release();
        } catch (Exception e) {
            // The run is over and counted; a failed clean-up does not change what was measured.
            System.err.println("warning: could not release a worker's resources: " + describe(e));
        }
    }

    private static Operation open(
            Operation.Factory factory, int index, AtomicReference<Throwable> setupFailure, CountDownLatch ready) {
        try {
            return factory.open(index);
        } catch (Exception | Error e) {
            setupFailure.compareAndSet(null, e);
            return null;
        } finally {
            ready.countDown();
        }
    }

    private static void joinAll(List<Thread> workers) throws InterruptedException {
        for (Thread worker : workers) {
            worker.join();
        }
    }

    private static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return root.getClass().getSimpleName() + ": "
                + message.lines().findFirst().orElse("");
    }
}
