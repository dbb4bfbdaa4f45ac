package dev.tokenbilling.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenbilling.model.Grant;
import dev.tokenbilling.model.IdempotencyKey;
import dev.tokenbilling.model.Purchase;
import dev.tokenbilling.model.TokenBalance;
import dev.tokenbilling.stripe.StripeApi;
import dev.tokenbilling.stripe.WebhookVerification;
import dev.tokenbilling.support.BillingFixture;
import dev.tokenbilling.support.StripeEvents;
import dev.tokenbilling.support.TestSeed;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes webhook deliveries: random bytes, broken JSON, wrong and malformed signature headers, and
 * correctly signed events of random shapes. Each must get a clear answer and move no tokens. The
 * deliveries are seeded random cases; {@code -Dbilling.test.seed} repeats a run.
 */
class WebhookFuzzTest {

    private static final int DELIVERIES = 10_000;
    private static final int MAX_JUNK = 300;
    private static final List<String> TYPES = List.of(
            "payment_intent.created",
            "payment_intent.succeeded",
            "charge.refunded",
            "charge.dispute.created",
            "invoice.paid",
            "",
            "x");
    private static final List<String> OBJECTS = List.of(
            "{}",
            "[]",
            "null",
            "\"text\"",
            "{\"id\":7}",
            "{\"id\":\"pi_unknown\",\"status\":\"succeeded\"}",
            "{\"id\":\"ch_x\",\"payment_intent\":\"pi_nope\",\"amount_refunded\":5}");
    private static final List<String> SHAPES = List.of(
            "{\"id\":\"evt_%s\",\"type\":\"%s\",\"data\":{\"object\":%s}}",
            "{\"type\":\"%2$s\",\"data\":%3$s,\"x\":\"%1$s\"}",
            "{\"id\":\"evt_%s\",\"type\":\"%s\",\"data\":{\"object\":%s}");
    /** Pieces of JSON and of signature headers that junk text is sometimes made of, to get past the first checks. */
    private static final List<String> FRAGMENTS = List.of(
            "{",
            "}",
            "[",
            "]",
            "\"",
            ":",
            ",",
            "\\",
            "\\u0000",
            "null",
            "true",
            "-1",
            "1e999",
            "\"id\"",
            "\"type\"",
            "\"data\"",
            "\"object\"",
            "t=",
            "v1=",
            "v0=",
            " ",
            "\n",
            "\u00e9",
            "\ud83d\ude00");

    private static TestSeed seed;
    private static BillingFixture fixture;
    private static Purchase purchase;
    private static TokenBalance before;

    record Delivery(byte[] body, String header) {

        @Override
        public String toString() {
            return "Delivery[" + body.length + " bytes: " + printable(new String(body, StandardCharsets.UTF_8))
                    + ", header: " + (header == null ? "none" : printable(header)) + "]";
        }
    }

    @BeforeAll
    static void setUp() {
        seed = TestSeed.of(WebhookFuzzTest.class);
        fixture = BillingFixture.create(
                WebhookFuzzTest.class,
                builder -> builder.stripe(
                                StripeApi.builder().secretKey("sk_test_unused").build())
                        .webhooks(WebhookVerification.builder()
                                .secret(StripeEvents.SECRET)
                                .build()));
        fixture.seed();
        purchase = fixture.pendingPurchaseWithIntent("fuzz-user", "starter-100k");
        fixture.service
                .ledger()
                .grant(Grant.of(purchase.userId(), 1_000, IdempotencyKey.of("fuzz-grant"), "fuzz baseline"));
        before = fixture.service.ledger().balance(purchase.userId());
    }

    @AfterAll
    static void nothingMoved() {
        TokenBalance after = fixture.service.ledger().balance(purchase.userId());
        assertThat(after.balance())
                .as("balance after the fuzzing; " + seed.howToRepeat())
                .isEqualTo(before.balance());
        assertThat(fixture.service
                        .purchases()
                        .find(purchase.userId(), purchase.id())
                        .orElseThrow()
                        .status())
                .as("purchase status; " + seed.howToRepeat())
                .isEqualTo(purchase.status());
        fixture.assertLedgerInvariants();
    }

    @Test
    void shouldAnswerEveryMalformedDeliveryClearlyAndMoveNoTokens() {
        for (int i = 1; i <= DELIVERIES; i++) {
            Delivery delivery = delivery(seed.random(i));
            seed.check(i, () -> "delivery " + delivery, () -> {
                WebhookOutcome outcome = fixture.billing.webhooks().handle(delivery.body(), delivery.header());

                assertThat(outcome.describe()).as("reason of %s", outcome).isNotBlank();
                assertThat(outcome.status())
                        .isNotIn(WebhookOutcome.Status.PROCESSED, WebhookOutcome.Status.FAILED_RETRYABLE);
                if (outcome.status() == WebhookOutcome.Status.REJECTED) {
                    assertThat(outcome.httpStatus())
                            .as("HTTP status of %s", outcome)
                            .isEqualTo(400);
                }
            });
        }
    }

    /** One of: unsigned junk (bytes or text) with any header, signed junk text, or a signed event of a random shape. */
    private static Delivery delivery(SplittableRandom random) {
        return switch (random.nextInt(3)) {
            case 0 ->
                new Delivery(
                        random.nextBoolean()
                                ? junkBytes(random)
                                : junkText(random).getBytes(StandardCharsets.UTF_8),
                        header(random));
            case 1 -> signed(junkText(random));
            default ->
                signed(String.format(
                        pick(random, SHAPES), letters(random, 10), pick(random, TYPES), pick(random, OBJECTS)));
        };
    }

    /** None, junk, a malformed timestamp with a short signature, or a current timestamp with a wrong signature. */
    private static String header(SplittableRandom random) {
        return switch (random.nextInt(4)) {
            case 0 -> null;
            case 1 -> junkText(random);
            case 2 -> "t=" + chars(random, 1 + random.nextInt(12), "0123456789") + ",v1=abc";
            default -> "t=" + Instant.now().getEpochSecond() + ",v1=" + chars(random, 64, "0123456789abcdef");
        };
    }

    private static Delivery signed(String payload) {
        return new Delivery(payload.getBytes(StandardCharsets.UTF_8), StripeEvents.sign(payload));
    }

    private static byte[] junkBytes(SplittableRandom random) {
        byte[] bytes = new byte[junkLength(random)];
        random.nextBytes(bytes);
        return bytes;
    }

    /** Up to 300 chars of any kind (lone surrogates and controls too), of printable ASCII, or of JSON and header pieces. */
    private static String junkText(SplittableRandom random) {
        int length = junkLength(random);
        StringBuilder text = new StringBuilder(length);
        int alphabet = random.nextInt(3);
        while (text.length() < length) {
            switch (alphabet) {
                case 0 -> text.append((char) random.nextInt(Character.MAX_VALUE + 1));
                case 1 -> text.append((char) random.nextInt(' ', '~' + 1));
                default ->
                    text.append(random.nextInt(4) == 0 ? (char) random.nextInt(' ', '~' + 1) : pick(random, FRAGMENTS));
            }
        }
        return text.length() > length ? text.substring(0, length) : text.toString();
    }

    /** 0 to 300, the bounds one time in ten. */
    private static int junkLength(SplittableRandom random) {
        return random.nextInt(10) == 0 ? (random.nextBoolean() ? 0 : MAX_JUNK) : random.nextInt(MAX_JUNK + 1);
    }

    private static String letters(SplittableRandom random, int length) {
        return chars(random, length, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");
    }

    private static String chars(SplittableRandom random, int length, String alphabet) {
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return text.toString();
    }

    private static <T> T pick(SplittableRandom random, List<T> choices) {
        return choices.get(random.nextInt(choices.size()));
    }

    /** The text with everything outside printable ASCII escaped, for failure messages. */
    private static String printable(String text) {
        StringBuilder out = new StringBuilder(text.length() + 2).append('"');
        for (char c : text.toCharArray()) {
            if (c >= ' ' && c <= '~' && c != '"' && c != '\\') {
                out.append(c);
            } else {
                out.append(String.format("\\u%04x", (int) c));
            }
        }
        return out.append('"').toString();
    }
}
