package dev.tokenbilling.boot.web;

import dev.tokenbilling.model.UserId;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Optional;

/**
 * Tells the REST API who is calling. The API never takes a user id from the request itself: every
 * balance, purchase and ledger call is for the user this returns, and an empty result is answered
 * {@code 401}. The default is {@link SpringSecurityUserResolver} when Spring Security is on the
 * classpath, else {@link ServletPrincipalUserResolver}. Declare a bean to map users differently
 * (e.g. to a stable account id instead of a login name).
 */
@FunctionalInterface
public interface BillingUserResolver {

    /** The signed-in user making {@code request}, or empty for an anonymous request. */
    Optional<UserId> resolve(HttpServletRequest request);
}
