package dev.tokenbilling.testkit.stripe;

import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;

/**
 * Runs FakeStripe as a standalone server, for the CLI and example apps offline:
 *
 * <pre>
 * java -jar billing-testkit-VERSION-standalone.jar --port 12111 \
 *     [--host 127.0.0.1] [--webhook-url URL --webhook-secret whsec_...] [--hold-webhooks] \
 *     [--api-version VERSION]
 * </pre>
 *
 * Prints the API base when listening; stops cleanly on Ctrl-C. Test controls are at {@code /_testkit/}.
 */
public final class FakeStripeMain {
    private FakeStripeMain() {}

    /** Entry point. */
    public static void main(String[] args) throws InterruptedException {
        FakeStripe.Builder builder;
        try {
            builder = parse(args, System.out);
        } catch (IllegalArgumentException e) {
            System.err.println("fake-stripe: " + e.getMessage());
            usage(System.err);
            System.exit(2);
            return;
        }
        if (builder == null) {
            return;
        }
        FakeStripe fake;
        try {
            fake = builder.start();
        } catch (java.io.UncheckedIOException e) {
            System.err.println(
                    "fake-stripe: " + e.getMessage() + " (" + e.getCause().getMessage() + ")");
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            fake.close();
                            System.out.println("FakeStripe stopped.");
                            stopped.countDown();
                        },
                        "fake-stripe-shutdown"));
        System.out.println("FakeStripe listening on " + fake.apiBase());
        System.out.println("  API base:        " + fake.apiBase() + "   (StripeClient.builder().setApiBase(...))");
        System.out.println("  keys:            any sk_test_... / pk_test_... (e.g. " + FakeStripe.SECRET_KEY + ", "
                + FakeStripe.PUBLISHABLE_KEY + ")");
        System.out.println("  API version:     " + fake.apiVersion());
        for (WebhookEndpoint endpoint : fake.webhookEndpoints()) {
            System.out.println("  webhook:         " + endpoint.url() + " (" + endpoint.id() + ", secret "
                    + endpoint.secret() + ")");
        }
        System.out.println("  webhook mode:    " + fake.webhookMode()
                + (fake.webhookMode() == WebhookMode.HOLD
                        ? "  (POST " + fake.apiBase() + "/_testkit/webhooks/deliver_held to send)"
                        : ""));
        System.out.println("Press Ctrl-C to stop.");
        stopped.await();
    }

    /** Parses the options; null after printing help. */
    static FakeStripe.Builder parse(String[] args, PrintStream out) {
        FakeStripe.Builder builder = FakeStripe.builder().port(12111);
        String webhookUrl = null;
        String webhookSecret = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--help", "-h" -> {
                    usage(out);
                    return null;
                }
                case "--port" -> builder.port(parsePort(value(args, ++i, arg)));
                case "--host" -> builder.host(value(args, ++i, arg));
                case "--webhook-url" -> webhookUrl = value(args, ++i, arg);
                case "--webhook-secret" -> webhookSecret = value(args, ++i, arg);
                case "--hold-webhooks" -> builder.holdWebhooks();
                case "--api-version" -> builder.apiVersion(value(args, ++i, arg));
                default -> throw new IllegalArgumentException("unknown option " + arg);
            }
        }
        if (webhookSecret != null && webhookUrl == null) {
            throw new IllegalArgumentException("--webhook-secret needs --webhook-url");
        }
        if (webhookUrl != null) {
            if (webhookSecret == null) {
                webhookSecret = "whsec_" + dev.tokenbilling.testkit.stripe.internal.Ids.random(32);
            }
            if (!webhookSecret.startsWith("whsec_")) {
                throw new IllegalArgumentException("--webhook-secret must start with whsec_");
            }
            builder.webhookEndpoint(webhookUrl, webhookSecret);
        }
        return builder;
    }

    private static int parsePort(String value) {
        try {
            int port = Integer.parseInt(value);
            if (port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--port needs a number from 0 to 65535, not " + value);
        }
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static void usage(PrintStream out) {
        out.println("Usage: java -jar billing-testkit-<version>-standalone.jar [options]");
        out.println("  --port N               port to listen on (default 12111, 0 for a free one)");
        out.println("  --host ADDRESS         address to bind (default 127.0.0.1)");
        out.println("  --webhook-url URL      register a webhook endpoint for all events");
        out.println("  --webhook-secret S     its signing secret (whsec_...; default: generated)");
        out.println("  --hold-webhooks        keep deliveries back until /_testkit/webhooks/deliver_held");
        out.println("  --api-version V        api_version of events (default stripe-java's pinned one)");
    }
}
