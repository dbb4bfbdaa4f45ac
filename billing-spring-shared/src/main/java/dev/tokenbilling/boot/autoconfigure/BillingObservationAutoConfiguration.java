package dev.tokenbilling.boot.autoconfigure;

import dev.tokenbilling.boot.observation.MicrometerBillingObserver;
import dev.tokenbilling.hook.BillingObserver;
import io.micrometer.observation.ObservationRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;

/**
 * Observes purchases, debits, holds, webhook deliveries and reconciler passes through Micrometer's
 * Observation API when it is on the classpath: timers through the actuator's meter registry, spans
 * through Micrometer Tracing. {@code billing.observations.enabled=false} turns it off.
 */
@AutoConfiguration(before = BillingAutoConfiguration.class)
@ConditionalOnClass(ObservationRegistry.class)
@ConditionalOnProperty(prefix = "billing.observations", name = "enabled", havingValue = "true", matchIfMissing = true)
public class BillingObservationAutoConfiguration {

    /** Resolved when first used, so the host's registry is found whichever auto-configuration made it. */
    @Bean
    @ConditionalOnMissingBean(BillingObserver.class)
    public BillingObserver billingObserver(ObjectProvider<ObservationRegistry> registry) {
        return new MicrometerBillingObserver(registry.getIfAvailable(() -> ObservationRegistry.NOOP));
    }
}
