package dev.tokenbilling.benchmarks.cli;

import java.util.Optional;

/** The commands the CLI benchmark times, their targets, and their keys in the JSON. */
enum CliCase {
    JAVA_VERSION("java_version", "java -version (same JVM options)", Optional.empty(), false),
    HELP("help", "billing --help", Optional.of(0.3), false),
    PURCHASES("purchases_pending", "billing purchases --status pending --limit 50", Optional.of(1.0), true),
    BALANCE("balance", "billing balance " + CliFixture.MEASURED_USER.value(), Optional.of(1.0), true),
    /** No database URL: the embedded PostgreSQL the CLI keeps running, started by the warm-up round. */
    KEPT_SERVER_PACKAGES("packages_kept_server", "billing packages (kept embedded server)", Optional.of(0.5), true);

    /** Peak resident memory the database commands must stay under. */
    static final double RSS_TARGET_MIB = 256;

    private final String key;
    private final String label;
    private final Optional<Double> secondsTarget;
    private final boolean rssTarget;

    CliCase(String key, String label, Optional<Double> secondsTarget, boolean rssTarget) {
        this.key = key;
        this.label = label;
        this.secondsTarget = secondsTarget;
        this.rssTarget = rssTarget;
    }

    String key() {
        return key;
    }

    String label() {
        return label;
    }

    /** The wall-time limit the median must stay under, including JVM start; none for the reference. */
    Optional<Double> secondsTarget() {
        return secondsTarget;
    }

    boolean hasRssTarget() {
        return rssTarget;
    }
}
