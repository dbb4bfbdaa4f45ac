package dev.tokenbilling.benchmarks;

/** What every throughput benchmark's run reports about where and how it ran. */
public interface RunSettings {

    String database();

    String schema();

    int threads();

    int seconds();

    int warmupSeconds();

    int cpus();

    double loadBefore();

    double loadAfter();
}
