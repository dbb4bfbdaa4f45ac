package dev.tokenbilling.boot.autoconfigure;

import dev.tokenbilling.TokenBilling;
import dev.tokenbilling.boot.actuate.BillingDoctorInfoContributor;
import org.springframework.boot.actuate.info.InfoContributor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;

/**
 * The {@code billingDoctor} section of {@code /actuator/info} ({@link BillingDoctorInfoContributor}),
 * with the actuator on the classpath and {@code billing.doctor.enabled=true}.
 */
@AutoConfiguration(after = BillingAutoConfiguration.class)
@ConditionalOnClass(InfoContributor.class)
@ConditionalOnBean(TokenBilling.class)
@ConditionalOnProperty(prefix = "billing.doctor", name = "enabled", havingValue = "true")
public class BillingDoctorAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "billingDoctorInfoContributor")
    public BillingDoctorInfoContributor billingDoctorInfoContributor(
            TokenBilling billing, BillingProperties properties) {
        return new BillingDoctorInfoContributor(
                billing,
                properties.getDoctor().getWebhookUrl(),
                properties.getReconciler().getOlderThan());
    }
}
