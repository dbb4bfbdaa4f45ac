package dev.tokenbilling.boot.autoconfigure;

import dev.tokenbilling.TokenBilling;
import dev.tokenbilling.boot.health.BillingHealthIndicator;
import org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The {@code billing} health contributor, when Spring Boot's health support (spring-boot-actuator and its
 * auto-configuration) is on the classpath (e.g. with spring-boot-starter-actuator); off with
 * {@code management.health.billing.enabled=false}. Spring Boot 3.5's health API; billing-spring-starter has
 * the same class on Boot 4's.
 */
@AutoConfiguration(after = BillingAutoConfiguration.class)
@ConditionalOnClass({HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class})
@ConditionalOnBean(TokenBilling.class)
@ConditionalOnEnabledHealthIndicator("billing")
public class BillingHealthAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "billingHealthIndicator")
    public BillingHealthIndicator billingHealthIndicator(TokenBilling billing, BillingProperties properties) {
        return new BillingHealthIndicator(billing, properties.getReconciler().getOlderThan());
    }
}
