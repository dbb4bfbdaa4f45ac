package dev.tokenbilling.examples.boot;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.core.env.ConfigurableEnvironment;

/** Demo mode ({@link DemoModeEnvironment}) before the context starts: Spring Boot 3.5's hook. */
public class DemoModeEnvironmentPostProcessor implements EnvironmentPostProcessor {

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        DemoModeEnvironment.apply(environment);
    }
}
