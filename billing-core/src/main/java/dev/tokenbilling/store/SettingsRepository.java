package dev.tokenbilling.store;

import java.time.Instant;
import java.util.Optional;

/**
 * Settings stored with the schema, so that every process touching the same database (the host
 * app's instances, the CLI, a one-off retry) applies the same policy to money. Names are the
 * library's own ({@code refund_policy}, {@code host_event_types}, ...).
 */
public interface SettingsRepository {

    /** The stored value; empty when never stored. Read-only. */
    Optional<String> find(String name);

    /**
     * Stores {@code value} when nothing is stored under {@code name} yet, and returns what is stored
     * now: {@code value} for the first caller, the earlier value for every later one. Of racing callers
     * exactly one stores; all get the same answer.
     */
    String putIfAbsent(String name, String value, Instant at);

    /** Stores {@code value} under {@code name}, replacing what was there. */
    void put(String name, String value, Instant at);
}
