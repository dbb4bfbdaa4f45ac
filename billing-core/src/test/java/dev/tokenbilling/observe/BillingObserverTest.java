package dev.tokenbilling.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tokenbilling.error.InsufficientTokensException;
import dev.tokenbilling.hook.BillingObserver;
import dev.tokenbilling.model.Debit;
import dev.tokenbilling.model.Grant;
import dev.tokenbilling.model.IdempotencyKey;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.stripe.WebhookVerification;
import dev.tokenbilling.support.BillingFixture;
import dev.tokenbilling.support.StripeEvents;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The operations a host's tracing sees: one observation each, tagged with its outcome, on the calling thread. */
class BillingObserverTest {

    /** What one observation recorded. */
    record Observed(String name, Map<String, String> tags, boolean failed, boolean closed, String thread) {}

    static final List<Observed> OBSERVED = Collections.synchronizedList(new ArrayList<>());

    static final BillingObserver RECORDER = name -> {
        Map<String, String> tags = new LinkedHashMap<>();
        boolean[] failed = {false};
        String thread = Thread.currentThread().getName();
        return new BillingObserver.Operation() {
            @Override
            public void tag(String key, String value) {
                tags.put(key, value);
            }

            @Override
            public void failed(Throwable error) {
                failed[0] = true;
            }

            @Override
            public void close() {
                OBSERVED.add(new Observed(name, Map.copyOf(tags), failed[0], true, thread));
            }
        };
    };

    private static BillingFixture fixture;

    @BeforeAll
    static void setUp() {
        fixture = BillingFixture.create(
                BillingObserverTest.class,
                builder -> builder.observer(RECORDER)
                        .webhooks(WebhookVerification.builder()
                                .secret(StripeEvents.SECRET)
                                .build()));
    }

    @BeforeEach
    void forget() {
        OBSERVED.clear();
    }

    @Test
    void shouldObserveEachWriteWithItsOutcome() {
        UserId user = UserId.of("observed-user");
        fixture.service.ledger().grant(Grant.of(user, 100, IdempotencyKey.of("g"), "welcome"));
        fixture.service.ledger().debit(Debit.of(user, 10, IdempotencyKey.of("d")));
        fixture.service.ledger().debit(Debit.of(user, 10, IdempotencyKey.of("d")));
        fixture.service
                .ledger()
                .debitAll(List.of(
                        Debit.of(user, 10, IdempotencyKey.of("b1")), Debit.of(user, 1_000, IdempotencyKey.of("b2"))));
        fixture.service.ledger().balance(user);

        assertThat(OBSERVED)
                .extracting(Observed::name, observed -> observed.tags().get("outcome"))
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("billing.ledger.grant", "ok"),
                        org.assertj.core.groups.Tuple.tuple("billing.ledger.debit", "debited"),
                        org.assertj.core.groups.Tuple.tuple("billing.ledger.debit", "replayed"),
                        org.assertj.core.groups.Tuple.tuple("billing.ledger.debit-batch", "partly-debited"));
        assertThat(OBSERVED).allSatisfy(observed -> {
            assertThat(observed.closed()).isTrue();
            assertThat(observed.thread()).isEqualTo(Thread.currentThread().getName());
            assertThat(observed.tags().values()).noneMatch(value -> value.contains("observed-user"));
        });
    }

    @Test
    void shouldTagAFailureWithItsErrorCode() {
        UserId user = UserId.of("observed-poor-user");

        assertThatThrownBy(() -> fixture.service.ledger().debit(Debit.of(user, 10, IdempotencyKey.of("d"))))
                .isInstanceOf(InsufficientTokensException.class);

        assertThat(OBSERVED).singleElement().satisfies(observed -> {
            assertThat(observed.name()).isEqualTo("billing.ledger.debit");
            assertThat(observed.tags()).containsEntry("outcome", "error").containsEntry("error", "insufficient_tokens");
            assertThat(observed.failed()).isTrue();
        });
    }

    @Test
    void shouldObserveWebhookDeliveriesWithTheirStatus() {
        String payload = StripeEvents.event("customer.created", Map.of("id", "cus_1", "object", "customer"));

        fixture.billing.webhooks().handle(StripeEvents.bytes(payload), StripeEvents.sign(payload));
        fixture.billing.webhooks().handle(StripeEvents.bytes(payload), "t=1,v1=bad");

        assertThat(OBSERVED)
                .extracting(Observed::name, observed -> observed.tags().get("outcome"))
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("billing.webhook.handle", "ignored"),
                        org.assertj.core.groups.Tuple.tuple("billing.webhook.handle", "rejected"));
    }
}
