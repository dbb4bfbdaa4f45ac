package dev.tokenbilling.it;

import dev.tokenbilling.BillingSchema;
import dev.tokenbilling.DatabaseTopology;
import dev.tokenbilling.internal.postgres.PostgresBillingStore;
import dev.tokenbilling.store.BillingStore;
import dev.tokenbilling.support.TestDatabase;
import dev.tokenbilling.testkit.store.AbstractBillingStoreContractTest;

/** The PostgreSQL store passes the published store contract, each test on a fresh schema. */
class PostgresBillingStoreContractTest extends AbstractBillingStoreContractTest {

    @Override
    protected BillingStore createStore() {
        String schema = TestDatabase.newSchema(PostgresBillingStoreContractTest.class);
        BillingSchema.of(TestDatabase.dataSource(), schema, TestDatabase.topology())
                .migrate();
        return PostgresBillingStore.create(
                TestDatabase.dataSource(), schema, TestDatabase.topology() == DatabaseTopology.CITUS);
    }
}
