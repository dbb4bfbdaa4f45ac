package dev.tokenbilling.testkit.stripe.internal;

import dev.tokenbilling.testkit.stripe.RecordedRequest;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/** The last API requests answered (at most 10,000), oldest first. Thread-safe. */
public final class RequestLog {
    private static final int CAPACITY = 10_000;
    private final Deque<RecordedRequest> entries = new ArrayDeque<>();

    /** Records a request. */
    public synchronized void add(RecordedRequest request) {
        if (entries.size() == CAPACITY) {
            entries.removeFirst();
        }
        entries.addLast(request);
    }

    /** The requests, oldest first. */
    public synchronized List<RecordedRequest> all() {
        return List.copyOf(entries);
    }

    /** Forgets all requests. */
    public synchronized void clear() {
        entries.clear();
    }
}
