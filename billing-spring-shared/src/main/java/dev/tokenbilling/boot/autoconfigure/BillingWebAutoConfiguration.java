package dev.tokenbilling.boot.autoconfigure;

import dev.tokenbilling.TokenBilling;
import dev.tokenbilling.boot.metrics.BillingMetrics;
import dev.tokenbilling.boot.web.BillingApiController;
import dev.tokenbilling.boot.web.BillingJson;
import dev.tokenbilling.boot.web.BillingRequestFilter;
import dev.tokenbilling.boot.web.BillingUserResolver;
import dev.tokenbilling.boot.web.ServletPrincipalUserResolver;
import dev.tokenbilling.boot.web.SpringSecurityUserResolver;
import dev.tokenbilling.boot.web.StripeWebhookController;
import dev.tokenbilling.hook.BillingListener;
import dev.tokenbilling.stripe.StripeApi;
import dev.tokenbilling.stripe.StripeKeys;
import dev.tokenbilling.stripe.WebhookVerification;
import java.net.URI;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.util.unit.DataSize;
import org.springframework.web.servlet.DispatcherServlet;

/**
 * The HTTP side on Spring MVC (servlet): the REST API ({@link BillingApiController}, off with
 * {@code billing.web.enabled=false}) and the Stripe webhook endpoint ({@link StripeWebhookController},
 * on when Stripe is configured, that is when there is a {@link WebhookVerification} bean; off with
 * {@code billing.webhook.enabled=false}). With Spring Security,
 * the webhook path gets its own filter chain: no CSRF, no login (the Stripe signature is its
 * authentication); everything else stays with the application's security.
 */
@AutoConfiguration(
        after = BillingAutoConfiguration.class,
        afterName = {
            "org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration",
            "org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration",
            "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
            // The same on Boot 3.5 (billing-spring-boot3-starter shares this class); absent names are ignored.
            "org.springframework.boot.autoconfigure.security.servlet.SecurityAutoConfiguration",
            "org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration"
        })
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(DispatcherServlet.class)
@ConditionalOnBean(TokenBilling.class)
public class BillingWebAutoConfiguration {

    /** Order of the webhook's security filter chain: ahead of the application's chains, which it never overlaps. */
    public static final int WEBHOOK_SECURITY_ORDER = Ordered.HIGHEST_PRECEDENCE + 100;

    static final String SECURITY_CONTEXT_HOLDER = "org.springframework.security.core.context.SecurityContextHolder";

    /**
     * The user is the authenticated Spring Security principal, keyed by provider and subject for
     * OAuth2/OIDC logins and JWTs when Spring Security's OAuth2 classes are on the application's
     * class path ({@link SpringSecurityUserResolver}).
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = SECURITY_CONTEXT_HOLDER)
    static class SpringSecurityUserConfiguration {

        @Bean
        @ConditionalOnMissingBean
        BillingUserResolver billingUserResolver(ApplicationContext context) {
            return new SpringSecurityUserResolver(context.getClassLoader());
        }
    }

    /** Without Spring Security, the user is the servlet container's principal. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnMissingClass(SECURITY_CONTEXT_HOLDER)
    static class ServletPrincipalUserConfiguration {

        @Bean
        @ConditionalOnMissingBean
        BillingUserResolver billingUserResolver() {
            return new ServletPrincipalUserResolver();
        }
    }

    /**
     * Answers malformed requests to the API and the webhook that Spring MVC would fail on before any
     * controller runs (multipart or wildcard content types, bodies over billing.web.max-request-size)
     * with a problem instead of a 500. Replace it by declaring a bean with this name.
     */
    @Bean
    @ConditionalOnMissingBean(name = "billingRequestFilter")
    BillingRequestFilter billingRequestFilter(
            BillingProperties properties, ObjectProvider<WebhookVerification> webhooks) {
        BillingProperties.Web web = properties.getWeb();
        DataSize max = web.getMaxRequestSize();
        if (max == null || max.toBytes() < 1) {
            throw new BillingConfigurationException(
                    "billing.web.max-request-size must be positive, was " + max,
                    "Set billing.web.max-request-size to e.g. "
                            + BillingProperties.DEFAULT_MAX_REQUEST_SIZE.toKilobytes() + "KB");
        }
        String hook = properties.getWebhook().getPath();
        boolean webhook = properties.getWebhook().isEnabled()
                && webhooks.getIfAvailable() != null
                && hook != null
                && hook.startsWith("/");
        return new BillingRequestFilter(
                web.isEnabled() ? web.getBasePath() : null, webhook ? hook : null, max.toBytes());
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnBooleanProperty(name = "billing.web.enabled", matchIfMissing = true)
    static class ApiConfiguration {

        @Bean
        @ConditionalOnMissingBean
        BillingApiController billingApiController(
                TokenBilling billing,
                BillingUserResolver users,
                BillingProperties properties,
                ObjectProvider<StripeApi> stripeApi,
                ObjectProvider<BillingMetrics> metrics) {
            String basePath = properties.getWeb().getBasePath();
            if (basePath == null || !(basePath.isEmpty() || basePath.startsWith("/") && !basePath.endsWith("/"))) {
                throw new BillingConfigurationException(
                        "billing.web.base-path must start with '/' and not end with '/', was '" + basePath + "'",
                        "Set billing.web.base-path to e.g. " + BillingProperties.DEFAULT_BASE_PATH);
            }
            String returnPath = properties.getWeb().getReturnPath();
            if (returnPath == null
                    || !returnPath.startsWith("/")
                    || returnPath.startsWith("//")
                    || returnPath.contains("?")
                    || returnPath.contains("#")
                    || returnPath.contains("{")) {
                throw new BillingConfigurationException(
                        "billing.web.return-path must be a path starting with '/', without query or fragment, was '"
                                + returnPath + "'",
                        "Set billing.web.return-path to the billing page's path, e.g. "
                                + BillingProperties.DEFAULT_RETURN_PATH);
            }
            BillingProperties.Stripe stripe = properties.getStripe();
            // From the Stripe API settings actually in use, so that a customizer's publishable key or api-base (a
            // demo's
            // FakeStripe) shows too; without Stripe, from billing.stripe.publishable-key for a page that shows it
            // anyway.
            StripeApi api = stripeApi.getIfAvailable();
            String publishableKey = api != null
                    ? api.publishableKey().orElse(null)
                    : BillingProperties.hasText(stripe.getPublishableKey())
                            ? stripe.getPublishableKey().trim()
                            : null;
            boolean live = api != null ? api.liveMode() : StripeKeys.isLive(publishableKey);
            String apiBase = withoutUserInfo(api != null ? api.apiBase().orElse(null) : stripe.getApiBase());
            return new BillingApiController(
                    billing,
                    users,
                    new BillingJson.ConfigView(
                            publishableKey, live, billing.paymentsConfigured(), live ? null : apiBase),
                    properties.getWeb().getTransactionsPageSize(),
                    () -> metrics.getIfAvailable(() -> BillingMetrics.NONE),
                    returnPath);
        }
    }

    /** The address the page may see: without a user name and password, if {@code billing.stripe.api-base} has them. */
    static String withoutUserInfo(URI address) {
        if (address == null) {
            return null;
        }
        if (address.getRawUserInfo() == null) {
            return address.toString();
        }
        try {
            return new URI(
                            address.getScheme(),
                            null,
                            address.getHost(),
                            address.getPort(),
                            address.getPath(),
                            address.getQuery(),
                            address.getFragment())
                    .toString();
        } catch (java.net.URISyntaxException e) {
            return null;
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnBooleanProperty(name = "billing.webhook.enabled", matchIfMissing = true)
    @ConditionalOnBean(WebhookVerification.class)
    static class WebhookConfiguration {

        /** The endpoint; refuses to start without a webhook signing secret rather than reject every delivery. */
        @Bean
        @ConditionalOnMissingBean
        StripeWebhookController stripeWebhookController(
                TokenBilling billing,
                WebhookVerification webhooks,
                BillingProperties properties,
                ObjectProvider<BillingListener> listeners) {
            if (webhooks.secrets().isEmpty()) {
                throw new BillingConfigurationException(
                        "the Stripe webhook endpoint POST "
                                + properties.getWebhook().getPath()
                                + " is on but no webhook signing secret is set, so every delivery would be refused",
                        "Set billing.stripe.webhook-secret (or STRIPE_WEBHOOK_SECRET) to the endpoint's signing secret (whsec_...) "
                                + "from the Stripe dashboard or 'stripe listen', or set billing.webhook.enabled=false on "
                                + "instances that do not receive webhooks.");
            }
            String path = properties.getWebhook().getPath();
            if (path == null || !path.startsWith("/")) {
                throw new BillingConfigurationException(
                        "billing.webhook.path must start with '/', was '" + path + "'",
                        "Set billing.webhook.path to e.g. " + BillingProperties.DEFAULT_WEBHOOK_PATH);
            }
            // The listeners (metrics among them) hear of deliveries the endpoint answers without the core: too large.
            return new StripeWebhookController(
                    billing,
                    webhooks.maxPayloadBytes(),
                    listeners.orderedStream().toList());
        }

        /**
         * Lets Stripe reach the webhook: a chain matching only {@code POST billing.webhook.path},
         * without CSRF, session or login. Replace it by declaring a bean with this name.
         */
        @Configuration(proxyBeanMethods = false)
        @ConditionalOnClass({SecurityFilterChain.class, HttpSecurity.class})
        @ConditionalOnBean(HttpSecurity.class)
        static class WebhookSecurityConfiguration {

            @Bean
            @Order(WEBHOOK_SECURITY_ORDER)
            @ConditionalOnMissingBean(name = "billingWebhookSecurityFilterChain")
            SecurityFilterChain billingWebhookSecurityFilterChain(HttpSecurity http, BillingProperties properties)
                    throws Exception {
                String path = URI.create(properties.getWebhook().getPath()).getPath();
                http.securityMatcher(PathPatternRequestMatcher.withDefaults().matcher(HttpMethod.POST, path))
                        .authorizeHttpRequests(requests -> requests.anyRequest().permitAll())
                        .csrf(AbstractHttpConfigurer::disable)
                        .requestCache(AbstractHttpConfigurer::disable)
                        .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS));
                return http.build();
            }
        }
    }
}
