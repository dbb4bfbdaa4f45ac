package dev.tokenbilling.cli;

import dev.tokenbilling.BillingSchema;
import java.util.Optional;

/** The values of the global options; set by {@link BillingCommand}'s option setters, read by {@link CliContext}. */
public final class GlobalOptions {

    String databaseUrl;
    String schema = BillingSchema.DEFAULT_SCHEMA;
    String topology;
    String stripeApiBase;
    OutputFormat output = OutputFormat.TABLE;
    boolean noColor;
    boolean verbose;
    boolean live;

    public Optional<String> databaseUrl() {
        return Optional.ofNullable(databaseUrl).filter(url -> !url.isBlank());
    }

    public String schema() {
        return schema;
    }

    public Optional<String> topology() {
        return Optional.ofNullable(topology).filter(value -> !value.isBlank());
    }

    public Optional<String> stripeApiBase() {
        return Optional.ofNullable(stripeApiBase).filter(url -> !url.isBlank());
    }

    public OutputFormat output() {
        return output;
    }

    public boolean noColor() {
        return noColor;
    }

    public boolean verbose() {
        return verbose;
    }

    public boolean live() {
        return live;
    }
}
