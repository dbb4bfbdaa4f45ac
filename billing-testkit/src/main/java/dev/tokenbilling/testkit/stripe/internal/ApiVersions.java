package dev.tokenbilling.testkit.stripe.internal;

/**
 * The API version events carry by default: stripe-java's pinned {@code com.stripe.Stripe.API_VERSION}
 * when stripe-java is on the class path, else the same value as a constant.
 */
public final class ApiVersions {
    /** stripe-java 33.3.0's pinned version, used when stripe-java is absent. */
    public static final String FALLBACK = "2026-07-29.dahlia";

    private ApiVersions() {}

    /** The default version. */
    public static String defaultVersion() {
        try {
            Class<?> stripe = Class.forName("com.stripe.Stripe", false, ApiVersions.class.getClassLoader());
            Object value = stripe.getField("API_VERSION").get(null);
            return value instanceof String s && !s.isBlank() ? s : FALLBACK;
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            return FALLBACK;
        }
    }
}
