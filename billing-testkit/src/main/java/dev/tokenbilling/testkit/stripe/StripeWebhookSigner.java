package dev.tokenbilling.testkit.stripe;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs webhook payloads exactly as Stripe does, for tests that build events by hand: the {@code
 * Stripe-Signature} header is {@code t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.payload" keyed with the
 * endpoint secret>}. stripe-java's {@code Webhook.constructEvent(payload, header, secret)} accepts it.
 */
public final class StripeWebhookSigner {
    private StripeWebhookSigner() {}

    /** The hex {@code v1} signature of {@code payload} signed at {@code timestamp}. */
    public static String sign(String payload, String secret, Instant timestamp) {
        return hmacSha256Hex(secret, timestamp.getEpochSecond() + "." + payload);
    }

    /** The full {@code Stripe-Signature} header for {@code payload} signed at {@code timestamp}. */
    public static String header(String payload, String secret, Instant timestamp) {
        return "t=" + timestamp.getEpochSecond() + ",v1=" + sign(payload, secret, timestamp);
    }

    /** The {@code Stripe-Signature} header for {@code payload} signed now. */
    public static String header(String payload, String secret) {
        return header(payload, secret, Instant.now());
    }

    /**
     * Whether {@code header} carries a valid {@code v1} signature of {@code payload} with a timestamp
     * within {@code tolerance} of now (a convenience for receivers written without stripe-java).
     */
    public static boolean verify(String payload, String header, String secret, Duration tolerance) {
        return verify(payload, header, secret, tolerance, Clock.systemUTC());
    }

    static boolean verify(String payload, String header, String secret, Duration tolerance, Clock clock) {
        if (header == null) {
            return false;
        }
        Long timestamp = null;
        boolean matched = false;
        for (String part : header.split(",")) {
            String[] kv = part.trim().split("=", 2);
            if (kv.length != 2) {
                continue;
            }
            if (kv[0].equals("t")) {
                try {
                    timestamp = Long.parseLong(kv[1]);
                } catch (NumberFormatException e) {
                    return false;
                }
            }
        }
        if (timestamp == null) {
            return false;
        }
        String expected = hmacSha256Hex(secret, timestamp + "." + payload);
        for (String part : header.split(",")) {
            String[] kv = part.trim().split("=", 2);
            if (kv.length == 2 && kv[0].equals("v1")) {
                matched |= MessageDigest.isEqual(
                        expected.getBytes(StandardCharsets.UTF_8), kv[1].getBytes(StandardCharsets.UTF_8));
            }
        }
        long age = Math.abs(clock.instant().getEpochSecond() - timestamp);
        return matched && age <= tolerance.getSeconds();
    }

    private static String hmacSha256Hex(String secret, String message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
