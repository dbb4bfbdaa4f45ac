package dev.tokenbilling.boot.support;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.test.autoconfigure.web.servlet.AutoConfigureMockMvc;

/**
 * Spring Boot 3.5's {@code @AutoConfigureMockMvc} under a name the shared tests can use on every Boot
 * generation (Boot 4 has the annotation in another package).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@AutoConfigureMockMvc
public @interface AutoConfigureBootMockMvc {}
