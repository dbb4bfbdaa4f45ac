package dev.tokenbilling.internal.postgres;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Lets this process's batches of debits reach PostgreSQL only when no batch it is running shares a
 * user with them. A batch locks its users' balance rows in user order and keeps them to its commit;
 * one that meets a row another batch holds waits there still holding its own, and the waits chain
 * through every batch that needs one of those. Waiting here instead holds nothing. The wait is
 * bounded: after {@link #MAX_WAIT} a batch goes on anyway and PostgreSQL orders it as before, so
 * nothing outside this process (another instance, a caller's open transaction) can stall it for
 * longer. It decides only when a batch starts, never what it posts.
 */
final class BatchAdmission {

    /**
     * A few batches' time: long enough to wait out the batches running ahead, short enough that a
     * batch passed over again and again, or held up outside the process, soon goes on.
     */
    static final Duration MAX_WAIT = Duration.ofMillis(200);

    /** Users of the batches running now; guarded by this. */
    private final Set<String> running = new HashSet<>();

    /** What a batch gives back when it ends, admitted or not. */
    @FunctionalInterface
    interface Ticket {
        void close();
    }

    /**
     * Returns once no running batch has one of {@code users} (then they count as running until the
     * ticket is closed) or after {@code maxWait} (then nothing is held: the batch goes on unadmitted).
     */
    Ticket admit(List<String> users, Duration maxWait) {
        long deadline = System.nanoTime() + maxWait.toNanos();
        synchronized (this) {
            while (sharesAUser(users)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return () -> {};
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return () -> {};
                }
            }
            running.addAll(users);
        }
        return () -> release(users);
    }

    private boolean sharesAUser(List<String> users) {
        for (String user : users) {
            if (running.contains(user)) {
                return true;
            }
        }
        return false;
    }

    private synchronized void release(List<String> users) {
        running.removeAll(users);
        notifyAll();
    }
}
