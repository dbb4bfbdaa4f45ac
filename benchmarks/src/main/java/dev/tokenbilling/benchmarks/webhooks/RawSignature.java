package dev.tokenbilling.benchmarks.webhooks;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The baseline's check of a {@code Stripe-Signature} header with javax.crypto, as a hand-written
 * handler does it: {@code t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<payload>" keyed with the
 * endpoint secret>[,v1=...]}; the timestamp must be within the tolerance and one v1 must match
 * (constant-time comparison). One instance per thread: it keeps its {@link Mac}.
 */
final class RawSignature {

    private static final HexFormat HEX = HexFormat.of();

    private final Mac mac;
    private final long toleranceSeconds;

    RawSignature(String secret, long toleranceSeconds) {
        this.toleranceSeconds = toleranceSeconds;
        try {
            mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available: " + e.getMessage(), e);
        }
    }

    boolean verify(String payload, String header, long nowSeconds) {
        long timestamp = -1;
        byte[] expected = null;
        for (String part : header.split(",")) {
            int equals = part.indexOf('=');
            if (equals < 0) {
                continue;
            }
            String key = part.substring(0, equals).trim();
            String value = part.substring(equals + 1).trim();
            if (key.equals("t")) {
                try {
                    timestamp = Long.parseLong(value);
                } catch (NumberFormatException e) {
                    return false;
                }
            } else if (key.equals("v1") && timestamp >= 0) {
                if (expected == null) {
                    if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) {
                        return false;
                    }
                    expected = mac.doFinal((timestamp + "." + payload).getBytes(StandardCharsets.UTF_8));
                }
                try {
                    if (MessageDigest.isEqual(expected, HEX.parseHex(value))) {
                        return true;
                    }
                } catch (IllegalArgumentException e) {
                    // not hex: not a match; try the next v1
                }
            }
        }
        return false;
    }
}
