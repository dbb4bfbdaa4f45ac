package dev.tokenbilling.boot.autoconfigure;

import dev.tokenbilling.TokenBilling;
import dev.tokenbilling.boot.metrics.BillingMetrics;
import dev.tokenbilling.boot.metrics.MicrometerBillingMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Micrometer meters ({@code billing.*}) when Micrometer is on the classpath and a {@link MeterRegistry}
 * exists. The {@link BillingMetrics} bean is a billing-core {@code BillingListener}: the
 * {@link TokenBilling} built by {@link BillingAutoConfiguration} registers it, so purchases, token
 * credits and debits and webhook deliveries are counted as the core reports them.
 */
@AutoConfiguration(
        after = BillingAutoConfiguration.class,
        afterName = {
            "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
            "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
            "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration",
            // The same on Boot 3.5 (billing-spring-boot3-starter shares this class); absent names are ignored.
            "org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration",
            "org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration",
            "org.springframework.boot.actuate.autoconfigure.metrics.export.simple.SimpleMetricsExportAutoConfiguration"
        })
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean({MeterRegistry.class, TokenBilling.class})
public class BillingMetricsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    public BillingMetrics billingMetrics(MeterRegistry registry) {
        return new MicrometerBillingMetrics(registry);
    }
}
