package dev.tokenbilling.boot.web;

import java.util.Optional;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtClaimNames;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;

/**
 * The account key of a bearer JWT ({@code oauth2ResourceServer().jwt()}). Loaded only when
 * spring-security-oauth2-resource-server and -jose are on the classpath ({@link SpringSecurityUserResolver} checks).
 */
final class JwtAccounts {

    private JwtAccounts() {}

    /**
     * {@code issuer#subject} for a JWT with an {@code iss} claim (the principal's name, the
     * configured principal claim, when it has no {@code sub}); empty for a JWT without {@code iss}
     * and any other authentication.
     */
    static Optional<String> key(Authentication authentication) {
        if (!(authentication instanceof JwtAuthenticationToken token) || token.getToken() == null) {
            return Optional.empty();
        }
        Jwt jwt = token.getToken();
        String subject = jwt.getSubject() != null ? jwt.getSubject() : token.getName();
        return SpringSecurityUserResolver.issuerKey(jwt.getClaimAsString(JwtClaimNames.ISS), subject);
    }
}
