package dev.tokenbilling;

import dev.tokenbilling.internal.postgres.PostgresBillingStore;
import dev.tokenbilling.spi.BillingStore;
import java.time.Clock;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * The one entry point: configure once with {@link #builder()}, then use {@link #service()}.
 *
 * <pre>{@code
 * TokenBilling billing = TokenBilling.builder()
 *     .dataSource(dataSource)          // the host's pool, or EmbeddedDatabase.startDefault().dataSource()
 *     .build();                        // applies the schema migrations unless migrate(false)
 * billing.service().consume(UserId.of("42"), 1_250, "req-7f3a", "chat completion");
 * }</pre>
 */
public final class TokenBilling {

    public static final String DEFAULT_SCHEMA = BillingSchema.DEFAULT_SCHEMA;
    public static final boolean DEFAULT_MIGRATE = true;

    private final BillingStore store;
    private final Clock clock;
    private final TokenBillingService service;

    private TokenBilling(Builder builder) {
        this.clock = builder.clock;
        this.store = builder.store != null ? builder.store : PostgresBillingStore.create(builder.dataSource, builder.schema);
        this.service = new TokenBillingService(store, clock);
    }

    public static Builder builder() {
        return new Builder();
    }

    public TokenBillingService service() {
        return service;
    }

    /** The store the library runs on; for integrations (the CLI, the Spring starter). */
    public BillingStore store() {
        return store;
    }

    public Clock clock() {
        return clock;
    }

    /** Builds a {@link TokenBilling}; immutable once built. */
    public static final class Builder {

        private DataSource dataSource;
        private BillingStore store;
        private String schema = DEFAULT_SCHEMA;
        private Clock clock = Clock.systemUTC();
        private boolean migrate = DEFAULT_MIGRATE;

        private Builder() {
        }

        /** The PostgreSQL data source, ideally a connection pool. */
        public Builder dataSource(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
            return this;
        }

        /** The schema that holds the library's tables; default {@value BillingSchema#DEFAULT_SCHEMA}. */
        public Builder schema(String schema) {
            this.schema = Objects.requireNonNull(schema, "schema");
            return this;
        }

        /** Another {@link BillingStore} implementation instead of the PostgreSQL one. */
        public Builder store(BillingStore store) {
            this.store = Objects.requireNonNull(store, "store");
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Whether {@link #build()} applies the schema migrations (default true). */
        public Builder migrate(boolean migrate) {
            this.migrate = migrate;
            return this;
        }

        public TokenBilling build() {
            if (store == null && dataSource == null) {
                throw new InvalidRequestException("dataSource", "is required unless a store is given");
            }
            if (store == null && migrate) {
                BillingSchema.of(dataSource, schema).migrate();
            }
            return new TokenBilling(this);
        }
    }
}
