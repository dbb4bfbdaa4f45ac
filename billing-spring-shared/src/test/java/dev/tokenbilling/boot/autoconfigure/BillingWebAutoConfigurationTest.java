package dev.tokenbilling.boot.autoconfigure;

import static dev.tokenbilling.boot.autoconfigure.BillingAutoConfigurationTest.rootCause;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tokenbilling.boot.support.BootClasses;
import dev.tokenbilling.boot.web.BillingApiController;
import dev.tokenbilling.boot.web.BillingUserResolver;
import dev.tokenbilling.boot.web.ServletPrincipalUserResolver;
import dev.tokenbilling.boot.web.SpringSecurityUserResolver;
import dev.tokenbilling.boot.web.StripeWebhookController;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.stripe.StripeApi;
import dev.tokenbilling.stripe.WebhookVerification;
import dev.tokenbilling.support.TestDatabase;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.client.authentication.OAuth2AuthenticationToken;
import org.springframework.security.oauth2.core.user.DefaultOAuth2User;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.servlet.DispatcherServlet;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

class BillingWebAutoConfigurationTest {

    private static final String SCHEMA = TestDatabase.newSchema(BillingWebAutoConfigurationTest.class);
    private static final String[] STRIPE = {
        "billing.stripe.secret-key=sk_test_abc",
        "billing.stripe.webhook-secret=whsec_abc",
        "billing.reconciler.enabled=false"
    };

    private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(BillingAutoConfiguration.class, BillingWebAutoConfiguration.class))
            .withBean(DataSource.class, TestDatabase::dataSource)
            .withPropertyValues("billing.schema=" + SCHEMA);

    @Test
    void shouldServeTheApiAndTheWebhookWhenStripeIsConfigured() {
        runner.withPropertyValues(STRIPE).run(context -> {
            assertThat(context)
                    .hasNotFailed()
                    .hasSingleBean(BillingApiController.class)
                    .hasSingleBean(StripeWebhookController.class)
                    .hasSingleBean(BillingUserResolver.class);
            assertThat(context.getBean(BillingUserResolver.class)).isInstanceOf(SpringSecurityUserResolver.class);
        });
    }

    @Test
    void shouldServeTheApiButNoWebhookWithoutStripe() {
        runner.run(context -> assertThat(context)
                .hasNotFailed()
                .hasSingleBean(BillingApiController.class)
                .doesNotHaveBean(StripeWebhookController.class));
    }

    @Test
    void shouldFailFastWhenTheWebhookIsOnWithoutASigningSecret() {
        runner.withPropertyValues("billing.stripe.secret-key=sk_test_abc").run(context -> {
            assertThat(context).hasFailed();
            BillingConfigurationException failure = rootCause(context.getStartupFailure());
            assertThat(failure.getMessage())
                    .contains("POST /api/v1/billing/webhooks/stripe/", "no webhook signing secret");
            assertThat(failure.action()).contains("STRIPE_WEBHOOK_SECRET", "billing.webhook.enabled=false");
        });
    }

    @Test
    void shouldStartWithoutASigningSecretWhenTheWebhookIsOff() {
        runner.withPropertyValues("billing.stripe.secret-key=sk_test_abc", "billing.webhook.enabled=false")
                .run(context -> assertThat(context)
                        .hasNotFailed()
                        .hasSingleBean(BillingApiController.class)
                        .doesNotHaveBean(StripeWebhookController.class));
    }

    @Test
    void shouldTurnTheApiOffForApplicationsThatWriteTheirOwn() {
        runner.withPropertyValues(STRIPE)
                .withPropertyValues("billing.web.enabled=false")
                .run(context -> assertThat(context)
                        .hasNotFailed()
                        .doesNotHaveBean(BillingApiController.class)
                        .hasSingleBean(StripeWebhookController.class));
    }

    @Test
    void shouldUseTheApplicationsUserResolver() {
        BillingUserResolver own = request -> Optional.of(UserId.of("always-alice"));
        runner.withBean(BillingUserResolver.class, () -> own).run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(BillingUserResolver.class);
            assertThat(context.getBean(BillingUserResolver.class)).isSameAs(own);
        });
    }

    @Test
    void shouldUseTheServletPrincipalWithoutSpringSecurity() {
        runner.withPropertyValues(STRIPE)
                .withClassLoader(new FilteredClassLoader("org.springframework.security."))
                .run(context -> {
                    assertThat(context).hasNotFailed().hasSingleBean(StripeWebhookController.class);
                    assertThat(context.getBean(BillingUserResolver.class))
                            .isInstanceOf(ServletPrincipalUserResolver.class);
                });
        runner.withClassLoader(new FilteredClassLoader(SecurityContextHolder.class))
                .run(context -> assertThat(context.getBean(BillingUserResolver.class))
                        .isInstanceOf(ServletPrincipalUserResolver.class));
    }

    @Test
    void shouldKeyOAuth2UsersByProviderOnlyWhenTheApplicationHasSpringSecuritysOAuth2Classes() {
        runner.withClassLoader(new FilteredClassLoader("org.springframework.security.oauth2."))
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    BillingUserResolver resolver = context.getBean(BillingUserResolver.class);
                    assertThat(resolver).isInstanceOf(SpringSecurityUserResolver.class);
                    SecurityContextHolder.getContext()
                            .setAuthentication(
                                    UsernamePasswordAuthenticationToken.authenticated("5000000", "n/a", List.of()));
                    try {
                        assertThat(resolver.resolve(new MockHttpServletRequest()))
                                .contains(UserId.of("5000000"));
                        // Classes the application does not have are never touched: an OAuth2 login here keeps its name.
                        SecurityContextHolder.getContext()
                                .setAuthentication(new OAuth2AuthenticationToken(
                                        new DefaultOAuth2User(List.of(), Map.of("id", 5000000), "id"),
                                        List.of(),
                                        "github"));
                        assertThat(resolver.resolve(new MockHttpServletRequest()))
                                .contains(UserId.of("5000000"));
                    } finally {
                        SecurityContextHolder.clearContext();
                    }
                });
        runner.run(context -> {
            SecurityContextHolder.getContext()
                    .setAuthentication(new OAuth2AuthenticationToken(
                            new DefaultOAuth2User(List.of(), Map.of("id", 5000000), "id"), List.of(), "github"));
            try {
                assertThat(context.getBean(BillingUserResolver.class).resolve(new MockHttpServletRequest()))
                        .contains(UserId.of("github:5000000"));
            } finally {
                SecurityContextHolder.clearContext();
            }
        });
    }

    @Test
    void shouldServeTheConfiguredPaths() {
        runner.withPropertyValues(STRIPE)
                .withPropertyValues("billing.web.base-path=/shop/billing", "billing.webhook.path=/hooks/stripe")
                .withConfiguration(BootClasses.webMvc())
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    Set<String> patterns = new TreeSet<>();
                    context.getBean("requestMappingHandlerMapping", RequestMappingHandlerMapping.class)
                            .getHandlerMethods()
                            .keySet()
                            .forEach(info -> patterns.addAll(info.getPatternValues()));
                    assertThat(patterns)
                            .contains(
                                    "/shop/billing/packages/",
                                    "/shop/billing/packages",
                                    "/shop/billing/tokens/purchase/",
                                    "/shop/billing/tokens/balance/",
                                    "/shop/billing/tokens/purchases/{id}/",
                                    "/shop/billing/tokens/transactions/",
                                    "/shop/billing/config/",
                                    "/shop/billing/tokens/lots/",
                                    "/shop/billing/tokens/lots",
                                    "/shop/billing/tokens/holds/",
                                    "/shop/billing/tokens/holds",
                                    "/hooks/stripe");
                    assertThat(patterns).noneMatch(pattern -> pattern.startsWith("/api/v1/billing"));
                });
    }

    @Test
    void shouldNotLetBrowsersReserveOrSettleTokens() {
        runner.withPropertyValues(STRIPE)
                .withConfiguration(BootClasses.webMvc())
                .run(context -> {
                    Set<String> writes = new TreeSet<>();
                    context
                            .getBean("requestMappingHandlerMapping", RequestMappingHandlerMapping.class)
                            .getHandlerMethods()
                            .keySet()
                            .stream()
                            .filter(info ->
                                    !info.getMethodsCondition().getMethods().contains(RequestMethod.GET))
                            .forEach(info -> writes.addAll(info.getPatternValues()));
                    assertThat(writes)
                            .containsExactlyInAnyOrder(
                                    "/api/v1/billing/tokens/purchase/",
                                    "/api/v1/billing/tokens/purchase",
                                    "/api/v1/billing/tokens/purchases/{id}/cancel/",
                                    "/api/v1/billing/tokens/purchases/{id}/cancel",
                                    "/api/v1/billing/tokens/checkout/",
                                    "/api/v1/billing/tokens/checkout",
                                    "/api/v1/billing/subscription/checkout/",
                                    "/api/v1/billing/subscription/checkout",
                                    "/api/v1/billing/subscription/portal/",
                                    "/api/v1/billing/subscription/portal",
                                    "/api/v1/billing/subscription/cancel/",
                                    "/api/v1/billing/subscription/cancel",
                                    "/api/v1/billing/subscription/resume/",
                                    "/api/v1/billing/subscription/resume",
                                    "/api/v1/billing/recharge/",
                                    "/api/v1/billing/recharge",
                                    "/api/v1/billing/recharge/pause/",
                                    "/api/v1/billing/recharge/pause",
                                    "/api/v1/billing/recharge/resume/",
                                    "/api/v1/billing/recharge/resume",
                                    "/api/v1/billing/recharge/cards/",
                                    "/api/v1/billing/recharge/cards",
                                    "/api/v1/billing/recharge/cards/{id}/",
                                    "/api/v1/billing/recharge/cards/{id}",
                                    "/api/v1/billing/alerts/low-balance/",
                                    "/api/v1/billing/alerts/low-balance",
                                    "/api/v1/billing/webhooks/stripe/");
                });
    }

    @Test
    void shouldServeThePublishableKeyOfTheStripeApiSettingsInUse() {
        runner.withPropertyValues(STRIPE)
                .withPropertyValues("billing.stripe.publishable-key=pk_test_fromproperty")
                .run(context -> {
                    assertThat(context.getBean(StripeApi.class).publishableKey())
                            .contains("pk_test_fromproperty");
                    assertThat(context.getBean(BillingApiController.class)
                                    .config()
                                    .publishableKey())
                            .isEqualTo("pk_test_fromproperty");
                });
        runner.withPropertyValues(STRIPE)
                .withPropertyValues("billing.stripe.publishable-key=pk_test_fromproperty")
                .withBean(
                        BillingCustomizer.class,
                        () -> BillingCustomizer.stripe(stripe -> stripe.publishableKey("pk_test_fromcustomizer")))
                .run(context -> assertThat(context.getBean(BillingApiController.class)
                                .config()
                                .publishableKey())
                        .isEqualTo("pk_test_fromcustomizer"));
        runner.withPropertyValues("billing.stripe.publishable-key=pk_test_nostripe")
                .run(context -> {
                    assertThat(context).doesNotHaveBean(StripeApi.class).doesNotHaveBean(WebhookVerification.class);
                    assertThat(context.getBean(BillingApiController.class).config())
                            .satisfies(config -> {
                                assertThat(config.publishableKey()).isEqualTo("pk_test_nostripe");
                                assertThat(config.purchasesEnabled()).isFalse();
                            });
                });
    }

    @Test
    void shouldRefuseAMalformedPath() {
        runner.withPropertyValues("billing.web.base-path=/api/v1/billing/")
                .run(context -> assertThat(
                                rootCause(context.getStartupFailure()).getMessage())
                        .contains("billing.web.base-path"));
        runner.withPropertyValues(STRIPE)
                .withPropertyValues("billing.webhook.path=hooks/stripe")
                .run(context -> assertThat(
                                rootCause(context.getStartupFailure()).getMessage())
                        .contains("billing.webhook.path"));
        for (String returnPath : List.of("billing.html", "/billing?tab=plan", "//evil.example/billing")) {
            runner.withPropertyValues("billing.web.return-path=" + returnPath)
                    .run(context -> assertThat(
                                    rootCause(context.getStartupFailure()).getMessage())
                            .contains("billing.web.return-path"));
        }
    }

    @Test
    void shouldStayOutOfApplicationsWithoutSpringMvc() {
        runner.withPropertyValues(STRIPE)
                .withClassLoader(new FilteredClassLoader(DispatcherServlet.class))
                .run(context -> assertThat(context)
                        .hasNotFailed()
                        .doesNotHaveBean(BillingApiController.class)
                        .doesNotHaveBean(StripeWebhookController.class));
    }

    @Test
    void shouldStayOutOfNonWebApplications() {
        new ApplicationContextRunner()
                .withConfiguration(
                        AutoConfigurations.of(BillingAutoConfiguration.class, BillingWebAutoConfiguration.class))
                .withBean(DataSource.class, TestDatabase::dataSource)
                .withPropertyValues("billing.schema=" + SCHEMA, "billing.stripe.secret-key=sk_test_abc")
                .run(context -> assertThat(context)
                        .hasNotFailed()
                        .doesNotHaveBean(BillingApiController.class)
                        .doesNotHaveBean(StripeWebhookController.class));
    }

    @Test
    void shouldOpenTheWebhookNextToSpringBootsDefaultSecurity() {
        runner.withPropertyValues(STRIPE)
                .withConfiguration(BootClasses.servletSecurity())
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context.getBeansOfType(SecurityFilterChain.class))
                            .containsKey("billingWebhookSecurityFilterChain")
                            .hasSize(2);
                });
    }

    @Test
    void shouldLeaveSecurityAloneWhenTheWebhookIsOff() {
        runner.withPropertyValues(STRIPE)
                .withPropertyValues("billing.webhook.enabled=false")
                .withConfiguration(BootClasses.servletSecurity())
                .run(context -> assertThat(context.getBeansOfType(SecurityFilterChain.class))
                        .doesNotContainKey("billingWebhookSecurityFilterChain")
                        .hasSize(1));
    }
}
