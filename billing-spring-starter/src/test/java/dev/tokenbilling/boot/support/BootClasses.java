package dev.tokenbilling.boot.support;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.HealthIndicator;

/** Spring Boot 4's classes that the shared tests name: the packages differ on Boot 3.5. */
public final class BootClasses {

    /** The health API that switches the starter's health indicator on. */
    public static final Class<?> HEALTH_INDICATOR = HealthIndicator.class;

    private BootClasses() {}

    /** Spring MVC: the dispatcher servlet and MVC's auto-configuration. */
    public static AutoConfigurations webMvc() {
        return AutoConfigurations.of(
                org.springframework.boot.webmvc.autoconfigure.DispatcherServletAutoConfiguration.class,
                org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration.class);
    }

    /** Spring Boot's default servlet security. */
    public static AutoConfigurations servletSecurity() {
        return AutoConfigurations.of(
                org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration.class,
                org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration.class);
    }
}
