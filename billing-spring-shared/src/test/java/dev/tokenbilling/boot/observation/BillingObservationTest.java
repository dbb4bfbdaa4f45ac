package dev.tokenbilling.boot.observation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenbilling.TokenBilling;
import dev.tokenbilling.boot.autoconfigure.BillingAutoConfiguration;
import dev.tokenbilling.boot.autoconfigure.BillingObservationAutoConfiguration;
import dev.tokenbilling.error.InsufficientTokensException;
import dev.tokenbilling.hook.BillingObserver;
import dev.tokenbilling.model.Debit;
import dev.tokenbilling.model.Grant;
import dev.tokenbilling.model.IdempotencyKey;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.service.TokenBillingService;
import dev.tokenbilling.support.TestDatabase;
import io.micrometer.observation.tck.TestObservationRegistry;
import io.micrometer.observation.tck.TestObservationRegistryAssert;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The library's operations reach the host's ObservationRegistry: one observation each, with low-cardinality tags. */
class BillingObservationTest {

    private static final String SCHEMA = TestDatabase.newSchema(BillingObservationTest.class);

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(
                    AutoConfigurations.of(BillingObservationAutoConfiguration.class, BillingAutoConfiguration.class))
            .withBean(DataSource.class, TestDatabase::dataSource)
            .withBean(TestObservationRegistry.class, TestObservationRegistry::create)
            .withPropertyValues("billing.schema=" + SCHEMA);

    @Test
    void shouldObserveDebitsWithTheirOutcome() {
        runner.run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(BillingObserver.class);
            TestObservationRegistry registry = context.getBean(TestObservationRegistry.class);
            TokenBillingService service = context.getBean(TokenBillingService.class);
            UserId user = UserId.of("observed-boot-user");

            service.ledger().grant(Grant.of(user, 50, IdempotencyKey.of("grant"), "welcome"));
            service.ledger().debit(Debit.of(user, 20, IdempotencyKey.of("use")));
            assertThatThrownBy(() -> service.ledger().debit(Debit.of(user, 1_000, IdempotencyKey.of("too-much"))))
                    .isInstanceOf(InsufficientTokensException.class);

            TestObservationRegistryAssert.assertThat(registry)
                    .hasObservationWithNameEqualTo("billing.ledger.grant")
                    .that()
                    .hasBeenStarted()
                    .hasBeenStopped()
                    .hasLowCardinalityKeyValue("outcome", "ok");
            TestObservationRegistryAssert.assertThat(registry)
                    .hasNumberOfObservationsWithNameEqualTo("billing.ledger.debit", 2)
                    .hasAnObservation(observation -> observation
                            .hasNameEqualTo("billing.ledger.debit")
                            .hasLowCardinalityKeyValue("outcome", "debited"))
                    .hasAnObservation(observation -> observation
                            .hasNameEqualTo("billing.ledger.debit")
                            .hasLowCardinalityKeyValue("outcome", "error")
                            .hasLowCardinalityKeyValue("error", "insufficient_tokens")
                            .hasError());
        });
    }

    @Test
    void shouldObserveNothingWhenTurnedOff() {
        runner.withPropertyValues("billing.observations.enabled=false").run(context -> {
            assertThat(context).hasNotFailed().doesNotHaveBean(BillingObserver.class);
            context.getBean(TokenBilling.class)
                    .service()
                    .ledger()
                    .grant(Grant.of(UserId.of("unobserved"), 5, IdempotencyKey.of("g"), "welcome"));
            TestObservationRegistryAssert.assertThat(context.getBean(TestObservationRegistry.class))
                    .doesNotHaveAnyObservation();
        });
    }
}
