package dev.tokenbilling.cli;

import java.util.Objects;
import javax.sql.DataSource;

/**
 * A database the CLI works on: its data source, a description for notes and errors (never with a
 * password), whether the CLI should apply the migrations on its own, and what to do when done.
 */
public record DatabaseHandle(
        DataSource dataSource, String description, boolean migrateAutomatically, AutoCloseable onClose) {

    public DatabaseHandle {
        Objects.requireNonNull(dataSource, "dataSource");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(onClose, "onClose");
    }

    /** Starts the database used when no URL is configured. */
    @FunctionalInterface
    public interface Launcher {
        DatabaseHandle start();
    }
}
