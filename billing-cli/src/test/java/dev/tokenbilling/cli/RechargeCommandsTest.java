package dev.tokenbilling.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.stripe.StripeClient;
import com.stripe.param.PaymentIntentConfirmParams;
import com.stripe.param.PaymentMethodAttachParams;
import dev.tokenbilling.TokenBilling;
import dev.tokenbilling.cli.support.Cli;
import dev.tokenbilling.cli.support.Cli.Result;
import dev.tokenbilling.model.Debit;
import dev.tokenbilling.model.IdempotencyKey;
import dev.tokenbilling.model.PurchaseIntent;
import dev.tokenbilling.model.RechargeSettings;
import dev.tokenbilling.model.RechargeStatus;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.stripe.StripeApi;
import dev.tokenbilling.testkit.stripe.FakeStripe;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code billing recharge}: rules, attempts, an operator's pause and resume, and a run of the worker. The
 * users, their saved cards and rules are made through the library against FakeStripe, as an application
 * would: a Starter pack bought with the card saved ({@code pm_card_visa}), a rule, a debit below its
 * threshold. Each test has a FakeStripe and a migrated, seeded schema of its own.
 */
class RechargeCommandsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private FakeStripe fake;
    private Cli cli;
    private TokenBilling library;

    @BeforeEach
    void start() {
        fake = FakeStripe.start();
        cli = Cli.forClass(RechargeCommandsTest.class)
                .stripe(fake.apiBase(), FakeStripe.SECRET_KEY)
                .migrated();
        cli.runOk("seed", "--with-stripe");
        library = cli.library(StripeApi.builder()
                .secretKey(FakeStripe.SECRET_KEY)
                .apiBase(URI.create(fake.apiBase()))
                .build());
    }

    @AfterEach
    void stop() {
        fake.close();
    }

    @Test
    void shouldListRulesRunningAndPaused() throws Exception {
        UserId alice = withRule("alice", 20_000);
        UserId bob = withRule("bob", 50_000);
        library.service().recharge().pause(bob);

        Result all = cli.run("recharge", "rules");
        Result paused = cli.run("recharge", "rules", "--paused");
        Result limited = cli.run("recharge", "rules", "--limit", "1");
        JsonNode json = JSON.readTree(cli.run("recharge", "rules", "-o", "json").out());
        Result csv = cli.run("recharge", "rules", "-o", "csv");

        assertThat(all.exitCode()).as(all.toString()).isZero();
        assertThat(all.lines()).hasSize(3);
        assertThat(all.lines().get(0))
                .containsPattern(
                        "USER\\s+PACK\\s+THRESHOLD\\s+CARD\\s+MAX/MONTH\\s+MAX AMOUNT/MONTH\\s+STATE\\s+REASON\\s+FAILURES");
        assertThat(all.lines().get(1))
                .containsPattern("^alice\\s+starter-100k\\s+20,000\\s+pm_\\w+\\s+5\\s+\\$25\\.00\\s+running\\s+0/3$");
        assertThat(all.lines().get(2))
                .containsPattern("^bob\\s+starter-100k\\s+50,000\\s+.*\\s+paused\\s+paused\\s+0/3$");
        assertThat(all.err()).contains("'billing recharge resume USER' resumes a paused rule");
        assertThat(paused.lines()).hasSize(2);
        assertThat(paused.lines().get(1)).startsWith("bob");
        assertThat(limited.lines()).hasSize(2);
        assertThat(json).hasSize(2);
        assertThat(json.get(0).fieldNames())
                .toIterable()
                .containsExactly(
                        "userId",
                        "packageSlug",
                        "threshold",
                        "paymentMethodId",
                        "maxPerMonth",
                        "maxAmountPerMonth",
                        "state",
                        "pausedReason",
                        "failures",
                        "maxFailures",
                        "enabled",
                        "createdAt",
                        "updatedAt");
        assertThat(json.get(0).get("threshold").asLong()).isEqualTo(20_000);
        assertThat(json.get(0).get("maxAmountPerMonth").asLong()).isEqualTo(2_500);
        assertThat(json.get(0).get("pausedReason").isNull()).isTrue();
        assertThat(json.get(1).get("state").asText()).isEqualTo("paused");
        assertThat(csv.lines().get(0))
                .isEqualTo("userId,packageSlug,threshold,paymentMethodId,maxPerMonth,maxAmountPerMonth,state,"
                        + "pausedReason,failures,maxFailures,enabled,createdAt,updatedAt");
        assertThat(csv.lines().get(1)).startsWith("alice,starter-100k,20000,pm_");
        assertThat(alice).isNotNull();
    }

    @Test
    void shouldSayWhenThereAreNoRules() {
        Result none = cli.run("recharge", "rules");
        Result nonePaused = cli.run("recharge", "rules", "--paused");
        Result limit = cli.run("recharge", "rules", "--limit", "0");
        Result missing = cli.run("recharge");

        assertThat(none.exitCode()).isZero();
        assertThat(none.out()).contains("No auto-recharge rules.");
        assertThat(nonePaused.out()).contains("No paused auto-recharge rules.");
        assertThat(limit.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(limit.err()).contains("--limit must be between 1 and 1000, was 0");
        assertThat(missing.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(missing.err()).contains("error: missing COMMAND", "rules", "attempts", "pause", "resume", "run");
    }

    @Test
    void shouldPauseAndResumeARuleOnceEach() throws Exception {
        withRule("carol", 20_000);

        Result pause = cli.run("recharge", "pause", "carol");
        Result pauseAgain = cli.run("recharge", "pause", "carol");
        JsonNode pausedJson = JSON.readTree(
                cli.run("recharge", "pause", "carol", "-o", "json").out());
        Result resume = cli.run("recharge", "resume", "carol");
        Result resumeAgain = cli.run("recharge", "resume", "carol");
        JsonNode resumedJson = JSON.readTree(
                cli.run("recharge", "resume", "carol", "-o", "json").out());

        assertThat(pause.exitCode()).as(pause.toString()).isZero();
        assertThat(pause.out()).contains("⏸  Paused auto-recharge of carol (buys starter-100k below 20,000 tokens).");
        assertThat(pause.err()).contains("'billing recharge resume carol' resumes it");
        assertThat(pauseAgain.exitCode()).isZero();
        assertThat(pauseAgain.out())
                .contains("Auto-recharge of carol is already paused (reason: paused); nothing changed.");
        assertThat(pausedJson.get("state").asText()).isEqualTo("paused");
        assertThat(pausedJson.get("changed").asBoolean()).isFalse();
        assertThat(resume.exitCode()).as(resume.toString()).isZero();
        assertThat(resume.out())
                .contains(
                        "Resumed auto-recharge of carol (buys starter-100k below 20,000 tokens; was paused: paused).");
        assertThat(resumeAgain.out()).contains("Auto-recharge of carol is not paused (running); nothing changed.");
        assertThat(resumedJson.get("state").asText()).isEqualTo("running");
        assertThat(resumedJson.get("changed").asBoolean()).isFalse();
        assertThat(library.service()
                        .recharge()
                        .rule(UserId.of("carol"))
                        .orElseThrow()
                        .running())
                .isTrue();
    }

    @Test
    void shouldFailToPauseOrResumeAUserWithoutARule() {
        Result pause = cli.run("recharge", "pause", "nobody");
        Result resume = cli.run("recharge", "resume", "nobody");

        assertThat(pause.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(pause.err())
                .contains("user 'nobody' has no auto-recharge rule", "'billing recharge rules'")
                .doesNotContain("Exception");
        assertThat(resume.exitCode()).isEqualTo(ExitCodes.FAILED);
        assertThat(resume.err()).contains("user 'nobody' has no auto-recharge rule");
    }

    @Test
    void shouldBuyADueRechargeOffSessionOnceAndListTheAttempts() throws Exception {
        UserId dave = withRule("dave", 50_000);
        library.service().ledger().debit(Debit.of(dave, 60_000, IdempotencyKey.of("below-threshold")));

        Result pending = cli.run("recharge", "attempts", "dave");
        Result run = cli.run("recharge", "run");
        Result again = cli.run("recharge", "run");
        JsonNode againJson =
                JSON.readTree(cli.run("recharge", "run", "-o", "json").out());
        Result done = cli.run("recharge", "attempts", "dave");
        JsonNode json = JSON.readTree(
                cli.run("recharge", "attempts", "dave", "-o", "json").out());

        assertThat(pending.exitCode()).as(pending.toString()).isZero();
        assertThat(pending.lines().get(0))
                .containsPattern("ID\\s+STATUS\\s+TRIES\\s+PURCHASE\\s+PAYMENT INTENT\\s+REASON\\s+CREATED\\s+UPDATED");
        assertThat(pending.lines()).hasSize(2);
        assertThat(pending.lines().get(1)).containsPattern("^\\s*\\d+\\s+pending\\s+0\\s+-\\s+-\\s+");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out())
                .contains("Took 1 due auto-recharge: 1 paid, 0 declined, 0 waiting for the user, 0 skipped.");
        assertThat(again.exitCode()).as(again.toString()).isZero();
        assertThat(again.out()).contains("No auto-recharges are due; nothing changed.");
        assertThat(againJson.get("leased").asInt()).isZero();
        assertThat(againJson.get("paid").asInt()).isZero();
        assertThat(done.lines()).hasSize(2);
        assertThat(done.lines().get(1)).containsPattern("^\\s*\\d+\\s+succeeded\\s+0\\s+\\d+\\s+pi_\\w+\\s+");
        assertThat(json.get(0).fieldNames())
                .toIterable()
                .containsExactly(
                        "id",
                        "status",
                        "tries",
                        "purchaseId",
                        "paymentIntentId",
                        "reason",
                        "createdAt",
                        "updatedAt",
                        "userId",
                        "availableAtStart",
                        "nextAttemptAt");
        assertThat(json.get(0).get("status").asText()).isEqualTo(RechargeStatus.SUCCEEDED.wireName());
        assertThat(json.get(0).get("availableAtStart").asLong()).isEqualTo(40_000);
        assertThat(library.service().ledger().balance(dave).balance()).isEqualTo(40_000 + 100_000);
        assertThat(cli.run("recharge", "attempts", "erin").out()).contains("No auto-recharges for user 'erin'.");
    }

    @Test
    void shouldReportADeclineAndPauseTheRuleAfterItsLastTry() throws Exception {
        UserId erin = withRule("erin", 50_000);
        String customer = library.store().subscriptions().customerOf(erin).orElseThrow();
        String card = stripe().v1()
                .paymentMethods()
                .attach(
                        "pm_card_chargeDeclinedInsufficientFunds",
                        PaymentMethodAttachParams.builder()
                                .setCustomer(customer)
                                .build())
                .getId();
        library.service()
                .recharge()
                .setRule(
                        erin,
                        RechargeSettings.of("starter-100k", 50_000)
                                .withMaxFailures(1)
                                .withPaymentMethod(card));
        library.service().ledger().debit(Debit.of(erin, 60_000, IdempotencyKey.of("below-threshold")));

        Result run = cli.run("recharge", "run");
        Result paused = cli.run("recharge", "rules", "--paused");
        Result attempts = cli.run("recharge", "attempts", "erin");

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out())
                .contains("Took 1 due auto-recharge: 0 paid, 1 declined, 0 waiting for the user, 0 skipped.");
        assertThat(run.err()).contains("'billing recharge rules --paused' lists paused rules");
        assertThat(paused.lines()).hasSize(2);
        assertThat(paused.lines().get(1)).containsPattern("^erin\\s+starter-100k\\s+50,000\\s+.*\\spaused\\s+");
        assertThat(attempts.lines().get(1))
                .containsPattern("^\\s*\\d+\\s+failed\\s+1\\s+")
                .contains("declined");
        assertThat(library.service().ledger().balance(erin).balance()).isEqualTo(40_000);
    }

    @Test
    void shouldNeedTheStripeKeyToRun() {
        Cli noKey = cli.copy().env("STRIPE_SECRET_KEY", null);

        Result result = noKey.run("recharge", "run");

        assertThat(result.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(result.err()).contains("STRIPE_SECRET_KEY is not set: export STRIPE_SECRET_KEY=sk_test_...");
    }

    /** stripe-java against FakeStripe, as the customer's browser or the application would call it. */
    private StripeClient stripe() {
        return StripeClient.builder()
                .setApiKey(FakeStripe.SECRET_KEY)
                .setApiBase(fake.apiBase())
                .build();
    }

    /** {@code user} bought Starter with the card saved, and set a rule buying Starter below {@code threshold}. */
    private UserId withRule(String user, long threshold) throws Exception {
        UserId id = UserId.of(user);
        PurchaseIntent intent = library.service().purchases().startSavingCard(id, "starter-100k");
        stripe().v1()
                .paymentIntents()
                .confirm(
                        intent.paymentIntentId(),
                        PaymentIntentConfirmParams.builder()
                                .setPaymentMethod("pm_card_visa")
                                .build());
        library.reconciler().run(Duration.ZERO, 100);
        library.service().recharge().setRule(id, RechargeSettings.of("starter-100k", threshold));
        return id;
    }
}
