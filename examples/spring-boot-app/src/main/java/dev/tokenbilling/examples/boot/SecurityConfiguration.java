package dev.tokenbilling.examples.boot;

import static org.springframework.security.config.Customizer.withDefaults;

import dev.tokenbilling.boot.autoconfigure.BillingProperties;
import java.util.List;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.HttpStatusEntryPoint;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;

/**
 * Demo logins {@code alice/alice} and {@code bob/bob}, by form login (the page) or HTTP Basic (curl).
 * The starter resolves the billing user from the authenticated principal's name, and brings its own
 * filter chain for the Stripe webhook (no login, no CSRF: the signature authenticates Stripe).
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {

    /** The demo logins; each password is the user name. */
    static final List<String> DEMO_USERS = List.of("alice", "bob");

    @Bean
    UserDetailsService demoUsers() {
        return new InMemoryUserDetailsManager(DEMO_USERS.stream()
                .map(name -> User.withUsername(name)
                        .password("{noop}" + name)
                        .roles("USER")
                        .build())
                .toList());
    }

    @Bean
    SecurityFilterChain applicationSecurity(HttpSecurity http, BillingProperties billing) throws Exception {
        String api = billing.getWeb().getBasePath();
        http.authorizeHttpRequests(requests -> requests.requestMatchers(
                                "/",
                                "/login",
                                "/login.html",
                                "/css/**",
                                "/js/**",
                                "/favicon.svg",
                                "/error",
                                "/api/demo/csrf",
                                "/actuator/health",
                                "/actuator/health/**")
                        .permitAll()
                        // The catalog and the publishable key are public: the page may show the packs before login.
                        .requestMatchers(
                                HttpMethod.GET,
                                api + "/packages",
                                api + "/packages/",
                                api + "/config",
                                api + "/config/")
                        .permitAll()
                        .anyRequest()
                        .authenticated())
                .formLogin(form -> form.loginPage("/login")
                        .defaultSuccessUrl("/account/settings/billing")
                        .permitAll())
                .httpBasic(withDefaults())
                .logout(logout -> logout.logoutSuccessUrl("/login?logout"))
                // The page sends the token in a header (X-CSRF-TOKEN, from /api/demo/me). Not CSRF-prone, so
                // exempt: calls that carry their own credentials (curl -u; the browser never holds Basic
                // credentials here, since /api never answers with a Basic challenge), and API calls without
                // a session, which have no authority to abuse (so that they get 401, not 403).
                .csrf(csrf -> csrf.ignoringRequestMatchers(request -> request.getHeader("Authorization") != null
                        || (request.getRequestURI().startsWith("/api/") && request.getRequestedSessionId() == null)))
                // The API answers 401 instead of redirecting to the login page.
                .exceptionHandling(exceptions -> exceptions.defaultAuthenticationEntryPointFor(
                        new HttpStatusEntryPoint(HttpStatus.UNAUTHORIZED),
                        PathPatternRequestMatcher.withDefaults().matcher("/api/**")));
        return http.build();
    }
}
