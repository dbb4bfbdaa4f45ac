package dev.tokenbilling.examples.boot;

import dev.tokenbilling.testkit.stripe.FakeStripe;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Demo mode: when no Stripe secret key is configured ({@code STRIPE_SECRET_KEY} or
 * {@code billing.stripe.secret-key}) and {@code demo.fake-stripe.enabled} is not {@code false}, or
 * always with {@code demo.fake-stripe.force=true} (tests, so that a key in the shell cannot reach Stripe), starts
 * a {@link FakeStripe} in this JVM before the application context is built, and points the starter
 * at it with ordinary {@code billing.stripe.*} properties: its API base, its test keys, and the
 * webhook signing secret ({@code STRIPE_WEBHOOK_SECRET} / {@code billing.stripe.webhook-secret} when
 * set, else a generated one) that {@link DemoStripeConfiguration} registers it with. So the starter
 * runs exactly as with real Stripe; only the address differs.
 *
 * <p>It runs this early because the starter reads its Stripe settings while the context starts: from
 * {@code DemoModeEnvironmentPostProcessor}, the Spring Boot generation's {@code EnvironmentPostProcessor}
 * (src/boot4 here, examples/spring-boot3-app for Boot 3.5). The instance is handed to
 * {@link DemoStripeConfiguration} (which closes it with the context) through {@link #take(String)} and
 * the property {@code demo.fake-stripe.instance-id}.
 */
final class DemoModeEnvironment {

    static final String PROPERTY_SOURCE = "demoFakeStripe";
    static final String INSTANCE_ID = "demo.fake-stripe.instance-id";

    private static final Map<String, FakeStripe> STARTED = new ConcurrentHashMap<>();

    private DemoModeEnvironment() {}

    /** Starts a FakeStripe and points {@code billing.stripe.*} at it, when demo mode applies. */
    static void apply(ConfigurableEnvironment environment) {
        if (environment.getPropertySources().contains(PROPERTY_SOURCE)) {
            return;
        }
        boolean keyConfigured = hasText(environment.getProperty("billing.stripe.secret-key"))
                || hasText(environment.getProperty("STRIPE_SECRET_KEY"));
        boolean force = environment.getProperty("demo.fake-stripe.force", Boolean.class, false);
        if (!force && (keyConfigured || !environment.getProperty("demo.fake-stripe.enabled", Boolean.class, true))) {
            return;
        }
        FakeStripe.Builder builder =
                FakeStripe.builder().port(environment.getProperty("demo.fake-stripe.port", Integer.class, 0));
        String host = environment.getProperty("demo.fake-stripe.host");
        if (hasText(host)) {
            builder.host(host);
        }
        FakeStripe fake = builder.start();
        String id = UUID.randomUUID().toString();
        STARTED.put(id, fake);

        String webhookSecret = firstText(
                environment.getProperty("billing.stripe.webhook-secret"),
                environment.getProperty("STRIPE_WEBHOOK_SECRET"));
        if (webhookSecret == null) {
            webhookSecret = "whsec_demo_" + HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
        }
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put(INSTANCE_ID, id);
        properties.put("billing.stripe.secret-key", FakeStripe.SECRET_KEY);
        properties.put("billing.stripe.publishable-key", FakeStripe.PUBLISHABLE_KEY);
        properties.put("billing.stripe.api-base", fake.apiBase());
        properties.put("billing.stripe.webhook-secret", webhookSecret);
        // Ahead of everything: demo mode only starts when no key is configured anywhere.
        environment.getPropertySources().addFirst(new MapPropertySource(PROPERTY_SOURCE, properties));
    }

    /** The FakeStripe started for the context whose environment holds {@code id}; removed from the registry. */
    static FakeStripe take(String id) {
        FakeStripe fake = STARTED.remove(id);
        if (fake == null) {
            throw new IllegalStateException("no FakeStripe was started for " + INSTANCE_ID + "=" + id);
        }
        return fake;
    }

    /** Stops FakeStripes whose context never started (so that a failed startup does not leave the JVM running). */
    static void closeUnclaimed() {
        STARTED.keySet().forEach(id -> {
            FakeStripe fake = STARTED.remove(id);
            if (fake != null) {
                fake.close();
            }
        });
    }

    private static String firstText(String... values) {
        for (String value : values) {
            if (hasText(value)) {
                return value.split(",")[0].trim();
            }
        }
        return null;
    }

    private static boolean hasText(String value) {
        return value != null && !value.isBlank();
    }
}
