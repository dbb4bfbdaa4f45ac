package dev.tokenbilling.boot.support;

import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfigurations;

/** Spring Boot 3.5's classes that the shared tests name: the packages differ on Boot 4. */
public final class BootClasses {

    /** The health API that switches the starter's health indicator on. */
    public static final Class<?> HEALTH_INDICATOR = HealthIndicator.class;

    private BootClasses() {}

    /** Spring MVC: the dispatcher servlet and MVC's auto-configuration. */
    public static AutoConfigurations webMvc() {
        return AutoConfigurations.of(
                org.springframework.boot.autoconfigure.web.servlet.DispatcherServletAutoConfiguration.class,
                org.springframework.boot.autoconfigure.web.servlet.WebMvcAutoConfiguration.class);
    }

    /** Spring Boot's default servlet security (on Boot 3.5, one auto-configuration imports the web part). */
    public static AutoConfigurations servletSecurity() {
        return AutoConfigurations.of(
                org.springframework.boot.autoconfigure.security.servlet.SecurityAutoConfiguration.class);
    }
}
