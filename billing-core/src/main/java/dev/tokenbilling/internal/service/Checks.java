package dev.tokenbilling.internal.service;

import dev.tokenbilling.error.InvalidRequestException;

/** Argument checks of the services; each failure names the field and changes nothing. */
final class Checks {

    private Checks() {}

    static <T> T notNull(String field, T value) {
        if (value == null) {
            throw new InvalidRequestException(field, "must not be null");
        }
        return value;
    }

    static int limit(int limit, int max) {
        if (limit < 1 || limit > max) {
            throw new InvalidRequestException("limit", "must be between 1 and " + max + ", was " + limit);
        }
        return limit;
    }

    /** An absolute http(s) URL (Stripe's {@code {CHECKOUT_SESSION_ID}} template allowed). */
    static String webUrl(String field, String url) {
        notNull(field, url);
        try {
            java.net.URI uri = java.net.URI.create(url.replace("{CHECKOUT_SESSION_ID}", "session"));
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) {
                return url;
            }
        } catch (IllegalArgumentException e) {
            // refused below
        }
        throw new InvalidRequestException(field, "must be an absolute http(s) URL");
    }
}
