package dev.tokenbilling.boot.autoconfigure;

import dev.tokenbilling.boot.actuate.BillingSecretsSanitizer;
import org.springframework.boot.actuate.endpoint.SanitizingFunction;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * With Spring Boot's actuator on the classpath: masks the Stripe secrets in {@code /actuator/env}
 * and {@code /actuator/configprops} ({@link BillingSecretsSanitizer}), also when the application
 * shows values there ({@code management.endpoint.env.show-values=always}) and also with
 * {@code billing.enabled=false} (the secrets may still be in the environment). Replace it by
 * declaring a bean named {@code billingSanitizingFunction}.
 */
@AutoConfiguration
@ConditionalOnClass(SanitizingFunction.class)
public class BillingActuatorAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "billingSanitizingFunction")
    public SanitizingFunction billingSanitizingFunction() {
        return new BillingSecretsSanitizer();
    }
}
