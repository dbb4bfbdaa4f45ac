package dev.tokenbilling.outbox;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tokenbilling.TokenBilling;
import dev.tokenbilling.model.Debit;
import dev.tokenbilling.model.Grant;
import dev.tokenbilling.model.IdempotencyKey;
import dev.tokenbilling.model.UserId;

/**
 * A host process that dies right after a change committed: it crosses a user's low-balance alert
 * (and empties the balance), then, with {@code mid-delivery}, dies inside the listener while
 * delivering, else before any delivery. Run by {@link BillingEventsTest} as a separate JVM.
 */
public final class CrashingHost {

    private CrashingHost() {}

    public static void main(String[] args) {
        String url = args[0];
        String schema = args[1];
        UserId user = UserId.of(args[2]);
        boolean midDelivery = args[3].equals("mid-delivery");
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setMaximumPoolSize(2);
        HikariDataSource dataSource = new HikariDataSource(config);
        TokenBilling billing = TokenBilling.builder()
                .dataSource(dataSource)
                .schema(schema)
                .eventListener(event -> Runtime.getRuntime().halt(3))
                .build();
        billing.service().ledger().setLowBalanceAlert(user, 500);
        billing.service().ledger().grant(Grant.of(user, 1_000, IdempotencyKey.of("crash-grant"), "welcome"));
        billing.service().ledger().debit(Debit.of(user, 1_000, IdempotencyKey.of("crash-debit")));
        if (midDelivery) {
            billing.service().operations().deliverEvents(10);
        }
        Runtime.getRuntime().halt(2);
    }
}
