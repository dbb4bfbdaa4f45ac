package dev.tokenbilling.money;

import static dev.tokenbilling.support.StripeEvents.bytes;
import static dev.tokenbilling.support.StripeEvents.sign;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tokenbilling.TokenBilling;
import dev.tokenbilling.error.BillingError;
import dev.tokenbilling.error.BillingException;
import dev.tokenbilling.hook.EventHandler;
import dev.tokenbilling.model.RefundPolicy;
import dev.tokenbilling.stripe.WebhookVerification;
import dev.tokenbilling.support.StripeEvents;
import dev.tokenbilling.support.TestDatabase;
import dev.tokenbilling.webhook.WebhookOutcome;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Every process on one database applies the same money policy: the host app stores its choices with
 * the schema, a process that makes none (the CLI, a one-off retry) applies the stored ones, and one
 * that differs is refused; events the host's handlers take are left for the host by other processes.
 */
class StoredPoliciesTest {

    private final String schema = TestDatabase.newSchema(StoredPoliciesTest.class);

    private TokenBilling.Builder process() {
        return TokenBilling.builder()
                .dataSource(TestDatabase.dataSource())
                .schema(schema)
                .webhooks(WebhookVerification.builder()
                        .secret(StripeEvents.SECRET)
                        .build());
    }

    @Test
    void shouldApplyTheHostsPoliciesInAProcessThatSetsNone() {
        TokenBilling host = process()
                .refundPolicy(RefundPolicy.REVERSE_AVAILABLE_ONLY)
                .abandonPurchasesAfter(Duration.ofDays(1))
                .build();

        TokenBilling cli = process().build();

        assertThat(host.refundPolicy()).isEqualTo(RefundPolicy.REVERSE_AVAILABLE_ONLY);
        assertThat(cli.refundPolicy()).isEqualTo(RefundPolicy.REVERSE_AVAILABLE_ONLY);
        assertThat(cli.abandonPurchasesAfter()).isEqualTo(Duration.ofDays(1));
    }

    @Test
    void shouldRefuseAnotherPolicyUnlessReplacedOnPurpose() {
        process().refundPolicy(RefundPolicy.REVERSE_AVAILABLE_ONLY).build();

        assertThatThrownBy(() -> process()
                        .refundPolicy(RefundPolicy.ALLOW_NEGATIVE_BALANCE)
                        .build())
                .isInstanceOfSatisfying(
                        BillingException.class,
                        e -> assertThat(e.code()).isEqualTo(BillingError.INVALID_CONFIGURATION));
        assertThat(process().build().refundPolicy()).isEqualTo(RefundPolicy.REVERSE_AVAILABLE_ONLY);

        process()
                .refundPolicy(RefundPolicy.ALLOW_NEGATIVE_BALANCE)
                .replaceStoredPolicies()
                .build();
        assertThat(process().build().refundPolicy()).isEqualTo(RefundPolicy.ALLOW_NEGATIVE_BALANCE);
    }

    @Test
    void shouldLeaveTheHostsEventsForTheHostInAProcessWithoutItsHandlers() {
        List<String> handled = new CopyOnWriteArrayList<>();
        TokenBilling host = process()
                .eventHandler(new EventHandler() {
                    @Override
                    public Set<String> eventTypes() {
                        return Set.of("customer.subscription.*");
                    }

                    @Override
                    public void handle(String eventId, String eventType, JsonNode dataObject) {
                        handled.add(eventId);
                    }
                })
                .build();
        TokenBilling cli = process().build();
        String payload =
                StripeEvents.event("customer.subscription.updated", Map.of("id", "sub_1", "object", "subscription"));

        WebhookOutcome atCli = cli.webhooks().handle(bytes(payload), sign(payload));
        String eventId = atCli.eventId().orElseThrow();

        assertThat(atCli).isInstanceOf(WebhookOutcome.FailedRetryable.class);
        assertThat(handled).isEmpty();
        assertThat(host.webhooks().retry(eventId)).isInstanceOf(WebhookOutcome.Processed.class);
        assertThat(handled).containsExactly(eventId);
    }
}
