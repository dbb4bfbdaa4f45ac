package dev.tokenbilling.cli.support;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * User ids no other test in this JVM uses, so that tests sharing their class's schema never see
 * each other's balances, lots or idempotency keys (keys are per user).
 */
public final class Unique {

    private static final AtomicInteger COUNTER = new AtomicInteger();

    private Unique() {}

    /** {@code name} with a number no other call returned, e.g. {@code alice-7}. */
    public static String user(String name) {
        return name + "-" + COUNTER.incrementAndGet();
    }
}
