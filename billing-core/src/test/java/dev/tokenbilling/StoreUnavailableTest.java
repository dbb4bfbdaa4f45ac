package dev.tokenbilling;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenbilling.error.StoreUnavailableException;
import dev.tokenbilling.model.Debit;
import dev.tokenbilling.model.IdempotencyKey;
import dev.tokenbilling.model.UserId;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

class StoreUnavailableTest {

    @Test
    void shouldReportUnreachableDatabaseAsRetryableStoreFailure() throws Exception {
        PGSimpleDataSource nowhere = new PGSimpleDataSource();
        try (ServerSocket socket = new ServerSocket(0)) {
            nowhere.setServerNames(new String[] {"127.0.0.1"});
            nowhere.setPortNumbers(new int[] {socket.getLocalPort()});
        }
        nowhere.setUser("billing");
        nowhere.setPassword("s3cret-password");
        nowhere.setConnectTimeout(2);
        TokenBilling billing =
                TokenBilling.builder().dataSource(nowhere).migrate(false).build();

        assertThatThrownBy(() -> billing.service()
                        .ledger()
                        .debit(Debit.of(UserId.of("u"), 1, IdempotencyKey.of("k"))
                                .withDescription("")))
                .isInstanceOf(StoreUnavailableException.class)
                .hasMessageContaining("Database unavailable")
                .hasMessageNotContaining("s3cret-password");
        assertThatThrownBy(() -> billing.service().ledger().balance(UserId.of("u")))
                .isInstanceOf(StoreUnavailableException.class);
        assertThatThrownBy(() -> billing.service()
                        .catalog()
                        .savePackage(dev.tokenbilling.support.BillingFixture.seedPackages()
                                .get(0)))
                .isInstanceOf(StoreUnavailableException.class);
        assertThatThrownBy(() -> BillingSchema.of(nowhere, "billing").migrate())
                .isInstanceOf(StoreUnavailableException.class)
                .hasMessageNotContaining("s3cret-password");
    }
}
