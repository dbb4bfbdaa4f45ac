package dev.tokenbilling.boot.web;

import dev.tokenbilling.model.UserId;
import jakarta.servlet.http.HttpServletRequest;
import java.security.Principal;
import java.util.Optional;

/** The servlet container's authenticated principal ({@link HttpServletRequest#getUserPrincipal()}), by name. */
public class ServletPrincipalUserResolver implements BillingUserResolver {

    @Override
    public Optional<UserId> resolve(HttpServletRequest request) {
        return Optional.ofNullable(request.getUserPrincipal())
                .map(Principal::getName)
                .filter(name -> !name.isBlank())
                .map(UserId::of);
    }
}
