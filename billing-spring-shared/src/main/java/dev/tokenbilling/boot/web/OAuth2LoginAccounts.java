package dev.tokenbilling.boot.web;

import java.util.Optional;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.client.authentication.OAuth2AuthenticationToken;
import org.springframework.security.oauth2.core.oidc.IdTokenClaimNames;
import org.springframework.security.oauth2.core.oidc.OidcIdToken;
import org.springframework.security.oauth2.core.oidc.user.OidcUser;

/**
 * The account key of an OAuth2 or OIDC login ({@code oauth2Login()}). Loaded only when
 * spring-security-oauth2-client is on the classpath ({@link SpringSecurityUserResolver} checks).
 */
final class OAuth2LoginAccounts {

    private OAuth2LoginAccounts() {}

    /**
     * {@code issuer#subject} for an OIDC login whose ID token names both, else
     * {@code registrationId:name} ({@code github:5000000}); empty for any other authentication.
     */
    static Optional<String> key(Authentication authentication) {
        if (!(authentication instanceof OAuth2AuthenticationToken token)) {
            return Optional.empty();
        }
        if (token.getPrincipal() instanceof OidcUser oidc && oidc.getIdToken() != null) {
            OidcIdToken idToken = oidc.getIdToken();
            Optional<String> key = SpringSecurityUserResolver.issuerKey(
                    idToken.getClaimAsString(IdTokenClaimNames.ISS), idToken.getSubject());
            if (key.isPresent()) {
                return key;
            }
        }
        String registration = token.getAuthorizedClientRegistrationId();
        String name = token.getName();
        if (registration == null || registration.isBlank() || name == null || name.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(registration + ":" + name);
    }
}
