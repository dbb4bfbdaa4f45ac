package dev.tokenbilling.benchmarks;

import java.io.PrintStream;

/** What a benchmark prints: a table for people and, with {@code --json}, one JSON line for tools. */
public interface BenchmarkReport {

    void printTable(PrintStream out);

    String json();
}
