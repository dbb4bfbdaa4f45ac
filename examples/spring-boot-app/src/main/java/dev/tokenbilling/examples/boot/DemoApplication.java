package dev.tokenbilling.examples.boot;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A small host application of {@code billing-spring-starter}: demo logins, the billing page at
 * {@code /account/settings/billing} and, by default, a fully offline demo mode (embedded PostgreSQL,
 * embedded FakeStripe, a Stripe.js stand-in). Any {@code billing.*} property can be given on the
 * command line, e.g. {@code --billing.reconciler.interval=1m}.
 */
@SpringBootApplication
public class DemoApplication {

    public static void main(String[] args) {
        try {
            SpringApplication.run(DemoApplication.class, args);
        } catch (RuntimeException e) {
            // Boot has logged why; a FakeStripe started for the failed context would keep the JVM alive.
            DemoModeEnvironment.closeUnclaimed();
            System.exit(1);
        }
    }
}
