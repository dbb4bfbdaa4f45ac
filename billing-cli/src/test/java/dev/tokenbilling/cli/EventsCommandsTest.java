package dev.tokenbilling.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenbilling.TokenBilling;
import dev.tokenbilling.cli.support.Cli;
import dev.tokenbilling.cli.support.Cli.Result;
import dev.tokenbilling.model.BillingEvent;
import dev.tokenbilling.model.Debit;
import dev.tokenbilling.model.Grant;
import dev.tokenbilling.model.IdempotencyKey;
import dev.tokenbilling.model.UserId;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code billing events}: the outbox of billing events. The events are made through the library as an
 * application would make them: a low-balance alert and debits below it and to zero. A library built
 * without listeners marks due events delivered, which makes the delivered ones. Each test has a migrated
 * schema of its own.
 */
class EventsCommandsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Cli cli = Cli.forClass(EventsCommandsTest.class);
    private TokenBilling library;

    @BeforeEach
    void migrate() {
        cli.migrated();
        library = cli.library(null);
    }

    @Test
    void shouldListPendingAndDeliveredEventsNewestFirst() throws Exception {
        lowThenDepleted("alice");
        assertThat(library.service().operations().deliverEvents(100).delivered())
                .isEqualTo(2);
        lowThenDepleted("bob");

        Result all = cli.run("events", "list");
        Result pending = cli.run("events", "list", "--pending");
        Result delivered = cli.run("events", "list", "--delivered");
        Result alice = cli.run("events", "list", "--user", "alice", "--limit", "1");
        Result nobody = cli.run("events", "list", "--user", "carol");

        assertThat(all.exitCode()).as(all.toString()).isZero();
        assertThat(all.lines().get(0))
                .containsPattern(
                        "ID\\s+USER\\s+TYPE\\s+CREATED\\s+STATE\\s+ATTEMPTS\\s+DELIVERED / NEXT ATTEMPT\\s+LAST ERROR");
        assertThat(all.lines()).hasSize(5);
        assertThat(all.lines().get(1))
                .containsPattern("^\\s*\\d+\\s+bob\\s+balance.depleted\\s+.*\\spending\\s+0\\s+next ");
        assertThat(all.lines().get(2)).containsPattern("^\\s*\\d+\\s+bob\\s+balance.low\\s+");
        assertThat(all.lines().get(3))
                .containsPattern("^\\s*\\d+\\s+alice\\s+balance.depleted\\s+.*\\sdelivered\\s+1\\s+\\d{4}-");
        assertThat(pending.lines()).hasSize(3);
        assertThat(pending.out()).doesNotContain("alice");
        assertThat(delivered.lines()).hasSize(3);
        assertThat(delivered.out()).doesNotContain("bob");
        assertThat(alice.lines()).hasSize(2);
        assertThat(alice.lines().get(1)).contains("alice", "balance.depleted");
        assertThat(nobody.out()).contains("No billing events match.");
    }

    @Test
    void shouldPrintPayloadsAsJsonObjectsAndCsvText() throws Exception {
        lowThenDepleted("alice");

        JsonNode json = JSON.readTree(cli.run("events", "list", "-o", "json").out());
        Result csv = cli.run("events", "list", "-o", "csv");

        assertThat(json).hasSize(2);
        assertThat(json.get(0).fieldNames())
                .toIterable()
                .containsExactly(
                        "id",
                        "userId",
                        "type",
                        "createdAt",
                        "state",
                        "attempts",
                        "lastError",
                        "deliveredAt",
                        "nextAttemptAt",
                        "payload");
        JsonNode low = json.get(1);
        assertThat(low.get("type").asText()).isEqualTo("balance.low");
        assertThat(low.get("state").asText()).isEqualTo("pending");
        assertThat(low.get("deliveredAt").isNull()).isTrue();
        assertThat(low.get("payload").isObject()).isTrue();
        assertThat(low.get("payload").get("available").asLong()).isEqualTo(40_000);
        assertThat(low.get("payload").get("threshold").asLong()).isEqualTo(50_000);
        assertThat(csv.lines().get(0))
                .isEqualTo("id,userId,type,createdAt,state,attempts,lastError,deliveredAt,nextAttemptAt,payload");
        assertThat(csv.lines().get(2))
                .contains(",alice,balance.low,")
                .endsWith("\"{\"\"available\"\":40000," + "\"\"balance\"\":40000,\"\"threshold\"\":50000}\"");
    }

    @Test
    void shouldRedeliverADeliveredEventOnce() throws Exception {
        lowThenDepleted("alice");
        library.service().operations().deliverEvents(100);
        long id = events("alice").get(1).id();

        Result result = cli.run("events", "redeliver", "alice", String.valueOf(id));
        Result again = cli.run("events", "redeliver", "alice", String.valueOf(id));
        JsonNode json = JSON.readTree(cli.run("events", "redeliver", "alice", String.valueOf(id), "-o", "json")
                .out());

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out())
                .contains("Event " + id + " of alice is pending again: the application delivers it on its next run.");
        assertThat(again.exitCode()).isZero();
        assertThat(again.out()).contains("Event " + id + " of alice is already pending and due; nothing changed.");
        assertThat(json.get("changed").asBoolean()).isFalse();
        BillingEvent event = events("alice").get(1);
        assertThat(event.delivered()).isFalse();
        assertThat(events("alice").get(0).delivered()).isTrue();
    }

    @Test
    void shouldRefuseUnknownEventsAndContradictoryOptions() throws Exception {
        lowThenDepleted("alice");
        long id = events("alice").get(0).id();

        Result unknown = cli.run("events", "redeliver", "alice", "999999");
        Result otherUser = cli.run("events", "redeliver", "bob", String.valueOf(id));
        Result notANumber = cli.run("events", "redeliver", "alice", "evt_1");
        Result both = cli.run("events", "list", "--pending", "--delivered");
        Result limit = cli.run("events", "list", "--limit", "1001");
        Result missing = cli.run("events");

        assertThat(unknown.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(unknown.err())
                .contains("unknown event 999999 of user 'alice'", "'billing events list --user alice'")
                .doesNotContain("Exception");
        assertThat(otherUser.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(notANumber.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(both.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(both.err()).contains("--pending and --delivered exclude each other");
        assertThat(limit.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(limit.err()).contains("--limit must be between 1 and 1000, was 1001");
        assertThat(missing.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(missing.err()).contains("error: missing COMMAND", "list", "redeliver");
        assertThat(missing.err()).doesNotContainPattern("(?m)^\\s+deliver\\s");
    }

    /** {@code user} gets 100,000 tokens and an alert below 50,000, then spends 60,000 and the rest: two events. */
    private void lowThenDepleted(String user) {
        UserId id = UserId.of(user);
        var ledger = library.service().ledger();
        ledger.grant(Grant.of(id, 100_000, IdempotencyKey.of(user + "-grant"), "welcome"));
        ledger.setLowBalanceAlert(id, 50_000);
        ledger.debit(Debit.of(id, 60_000, IdempotencyKey.of(user + "-low")));
        ledger.debit(Debit.of(id, 40_000, IdempotencyKey.of(user + "-rest")));
    }

    /** The user's events, newest first. */
    private List<BillingEvent> events(String user) {
        return library.service().operations().billingEvents(Optional.of(UserId.of(user)), Optional.empty(), 100);
    }
}
