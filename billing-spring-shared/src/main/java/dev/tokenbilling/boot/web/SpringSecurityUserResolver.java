package dev.tokenbilling.boot.web;

import dev.tokenbilling.model.UserId;
import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.util.ClassUtils;

/**
 * The authenticated Spring Security principal, keyed so that two identity providers never share an
 * account: a login name alone is not unique once an application accepts GitHub and GitLab, whose
 * user 5000000 are two people.
 * <ul>
 * <li>OAuth2 login ({@code OAuth2AuthenticationToken}): {@code registrationId:name}, e.g.
 * {@code github:5000000} and {@code gitlab:5000000};</li>
 * <li>OIDC login (an {@code OidcUser} with an ID token): {@code issuer#subject}, e.g.
 * {@code https://gitlab.com#5000000};</li>
 * <li>bearer JWT ({@code JwtAuthenticationToken}): {@code issuer#subject} from its {@code iss} and
 * {@code sub} claims, so the same person signing in through OIDC and calling with an access token
 * of that issuer has one account; a JWT without {@code iss} keeps its name;</li>
 * <li>anything else (form login, HTTP Basic, remember-me, ...): {@link Authentication#getName()}.</li>
 * </ul>
 * An OIDC issuer is a URL without fragment, so {@code #} never makes two keys alike. A key longer
 * than {@link UserId#MAX_LENGTH} becomes {@code sha256:} and its hex digest. Anonymous and
 * unauthenticated requests have no user; without any security context the servlet principal is
 * used. Spring Security's OAuth2 client and resource server are optional: each rule applies only
 * when its classes are on the classpath. Override {@link #accountKey(Authentication)} to key
 * accounts otherwise, or declare a {@link BillingUserResolver} bean.
 */
public class SpringSecurityUserResolver implements BillingUserResolver {

    static final String OAUTH2_LOGIN_CLASS =
            "org.springframework.security.oauth2.client.authentication.OAuth2AuthenticationToken";
    static final String OIDC_USER_CLASS = "org.springframework.security.oauth2.core.oidc.user.OidcUser";
    static final String JWT_AUTHENTICATION_CLASS =
            "org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken";
    static final String JWT_CLASS = "org.springframework.security.oauth2.jwt.Jwt";

    private final ServletPrincipalUserResolver fallback = new ServletPrincipalUserResolver();
    private final boolean oauth2Login;
    private final boolean jwt;

    /** Looks for the OAuth2 classes with this class's class loader. */
    public SpringSecurityUserResolver() {
        this(SpringSecurityUserResolver.class.getClassLoader());
    }

    /** Looks for the OAuth2 classes with {@code classLoader} (the application's). */
    public SpringSecurityUserResolver(ClassLoader classLoader) {
        this.oauth2Login = ClassUtils.isPresent(OAUTH2_LOGIN_CLASS, classLoader)
                && ClassUtils.isPresent(OIDC_USER_CLASS, classLoader);
        this.jwt = ClassUtils.isPresent(JWT_AUTHENTICATION_CLASS, classLoader)
                && ClassUtils.isPresent(JWT_CLASS, classLoader);
    }

    @Override
    public Optional<UserId> resolve(HttpServletRequest request) {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        if (authentication == null) {
            return fallback.resolve(request);
        }
        if (authentication instanceof AnonymousAuthenticationToken || !authentication.isAuthenticated()) {
            return Optional.empty();
        }
        String key = accountKey(authentication);
        if (key == null || key.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(UserId.of(key.length() > UserId.MAX_LENGTH ? digest(key) : key));
    }

    /**
     * The account of an authenticated user, as described above; null or blank for none. Override to
     * key accounts differently (e.g. by an e-mail address the identity providers verified).
     */
    protected String accountKey(Authentication authentication) {
        if (oauth2Login) {
            Optional<String> key = OAuth2LoginAccounts.key(authentication);
            if (key.isPresent()) {
                return key.get();
            }
        }
        if (jwt) {
            Optional<String> key = JwtAccounts.key(authentication);
            if (key.isPresent()) {
                return key.get();
            }
        }
        return authentication.getName();
    }

    /** {@code issuer#subject}, or empty when either is missing. */
    static Optional<String> issuerKey(String issuer, String subject) {
        if (issuer == null || issuer.isBlank() || subject == null || subject.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(issuer + "#" + subject);
    }

    private static String digest(String key) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return "sha256:" + HexFormat.of().formatHex(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
