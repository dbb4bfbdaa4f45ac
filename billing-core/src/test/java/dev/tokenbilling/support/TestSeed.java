package dev.tokenbilling.support;

import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * Random seeds for the randomized tests. One run seed per test JVM: {@code -Dbilling.test.seed=N} when
 * given, else a random one. Every test class and every case draws from its own stream derived from
 * it, so the same run seed replays the same cases in the same order. A failing case names the run
 * seed and how to repeat the run.
 */
public final class TestSeed {

    public static final String PROPERTY = "billing.test.seed";
    private static final long RUN_SEED = runSeedFromProperty();

    private final String testName;
    private final long classSeed;

    private TestSeed(String testName) {
        this.testName = testName;
        this.classSeed = mix(RUN_SEED ^ mix(testName.hashCode()));
    }

    /** The random seed for {@code testClass}'s cases; prints the run seed and how to repeat the run. */
    public static TestSeed of(Class<?> testClass) {
        TestSeed seed = new TestSeed(testClass.getSimpleName());
        System.out.println(seed.testName + ": random seed " + RUN_SEED + "; " + seed.howToRepeat());
        return seed;
    }

    /** The random seed every randomized test of this JVM derives its cases from. */
    public static long runSeed() {
        return RUN_SEED;
    }

    /** The random source of case {@code caseNumber}: the same for the same run seed. */
    public SplittableRandom random(int caseNumber) {
        return new SplittableRandom(caseSeed(caseNumber));
    }

    /** Uniform in [min, max], but one time in ten exactly a bound, so that every run meets the edges. */
    public static long between(SplittableRandom random, long min, long max) {
        if (random.nextInt(10) == 0) {
            return random.nextBoolean() ? min : max;
        }
        return random.nextLong(min, max + 1);
    }

    public long caseSeed(int caseNumber) {
        return mix(classSeed + 0x9e3779b97f4a7c15L * caseNumber);
    }

    /** The command line that runs this test class again with the same cases. */
    public String howToRepeat() {
        return "repeat with -D" + PROPERTY + "=" + RUN_SEED + " (./mvnw -pl billing-core test -Dtest=" + testName
                + " -D" + PROPERTY + "=" + RUN_SEED + ")";
    }

    /**
     * Runs case {@code caseNumber}. An assertion or exception out of it comes back as an
     * {@link AssertionError} that says which case failed, what it was doing ({@code context}, asked
     * only on failure), the run seed and how to repeat the run; the original failure is its cause.
     */
    public void check(int caseNumber, Supplier<String> context, Runnable body) {
        try {
            body.run();
        } catch (AssertionError | RuntimeException failure) {
            throw new AssertionError(
                    testName + " case " + caseNumber + " failed with run seed " + RUN_SEED + ": " + failure
                            + System.lineSeparator() + "  " + context.get()
                            + System.lineSeparator() + "  " + howToRepeat(),
                    failure);
        }
    }

    private static long runSeedFromProperty() {
        String value = System.getProperty(PROPERTY);
        if (value == null || value.isBlank()) {
            return new SplittableRandom().nextLong();
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "-D" + PROPERTY + " must be a whole number (a seed a failed run printed), was '" + value + "'", e);
        }
    }

    /** SplitMix64's finaliser: nearby inputs give unrelated seeds. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
