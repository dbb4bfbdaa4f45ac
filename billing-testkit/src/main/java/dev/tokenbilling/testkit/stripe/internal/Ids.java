package dev.tokenbilling.testkit.stripe.internal;

import java.util.concurrent.ThreadLocalRandom;

/** Stripe-looking identifiers: a prefix and random alphanumerics ({@code pi_3Pq...}). */
public final class Ids {
    private static final String ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    private Ids() {}

    /** A new id such as {@code pi_1Fk2...} with 24 random characters after the prefix. */
    public static String newId(String prefix) {
        return prefix + "_" + random(24);
    }

    /** {@code n} random alphanumeric characters. */
    public static String random(int n) {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append(ALPHABET.charAt(rnd.nextInt(ALPHABET.length())));
        }
        return sb.toString();
    }

    /** A request id as in Stripe's {@code Request-Id} header. */
    public static String requestId() {
        return "req_" + random(14);
    }
}
