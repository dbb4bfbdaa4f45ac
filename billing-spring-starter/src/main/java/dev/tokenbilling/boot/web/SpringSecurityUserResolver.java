package dev.tokenbilling.boot.web;

import dev.tokenbilling.model.UserId;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Optional;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;

/**
 * The authenticated Spring Security principal's name ({@link Authentication#getName()}): the login
 * for form login and HTTP Basic, the {@code sub} claim for a JWT. Anonymous and unauthenticated
 * requests have no user. Falls back to the servlet principal when no security context is set.
 */
public class SpringSecurityUserResolver implements BillingUserResolver {

    private final ServletPrincipalUserResolver fallback = new ServletPrincipalUserResolver();

    @Override
    public Optional<UserId> resolve(HttpServletRequest request) {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        if (authentication == null) {
            return fallback.resolve(request);
        }
        if (authentication instanceof AnonymousAuthenticationToken || !authentication.isAuthenticated()) {
            return Optional.empty();
        }
        String name = authentication.getName();
        return name == null || name.isBlank() ? Optional.empty() : Optional.of(UserId.of(name));
    }
}
