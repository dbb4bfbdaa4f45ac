package dev.tokenbilling.boot.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.jwt;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.oauth2Login;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.oidcLogin;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.user;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tokenbilling.boot.support.AutoConfigureBootMockMvc;
import dev.tokenbilling.model.Grant;
import dev.tokenbilling.model.IdempotencyKey;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.service.TokenBillingService;
import dev.tokenbilling.support.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.user.DefaultOAuth2User;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.RequestPostProcessor;

/**
 * Whose balance the REST API shows when the same numeric user id comes from several identity
 * providers: GitHub's user 5000000 and GitLab's user 5000000 are two people, and so are the
 * subjects 5000000 of two JWT issuers. Each has its own account; a form-login user named
 * "5000000" is a third.
 */
@SpringBootTest(classes = UserAccountsMockMvcTest.App.class)
@AutoConfigureBootMockMvc
@DirtiesContext
class UserAccountsMockMvcTest {

    static final String API = "/api/v1/billing";
    static final String SAME_ID = "5000000";
    static final String GITLAB_ISSUER = "https://gitlab.com";
    static final String ISSUER_A = "https://login.tenant-a.example";
    static final String ISSUER_B = "https://login.tenant-b.example";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Autowired
    MockMvc mvc;

    @Autowired
    TokenBillingService service;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", TestDatabase::jdbcUrl);
        registry.add("billing.schema", () -> TestDatabase.newSchema(UserAccountsMockMvcTest.class));
        registry.add("billing.expiry.enabled", () -> "false");
    }

    @BeforeEach
    void grantEachAccountItsOwnTokens() {
        Map<String, Long> grants = Map.of(
                "github:" + SAME_ID,
                1_000L,
                "gitlab:" + SAME_ID,
                250L,
                GITLAB_ISSUER + "#" + SAME_ID,
                70L,
                ISSUER_A + "#" + SAME_ID,
                40L,
                ISSUER_B + "#" + SAME_ID,
                15L,
                SAME_ID,
                3L);
        grants.forEach((account, tokens) -> service.ledger()
                .grant(Grant.of(UserId.of(account), tokens, IdempotencyKey.of("welcome-" + account), "welcome")));
    }

    @Test
    void shouldKeepOneBalancePerOAuth2Provider() throws Exception {
        assertThat(balance(oauth2("github"))).isEqualTo(1_000);
        assertThat(balance(oauth2("gitlab"))).isEqualTo(250);
    }

    @Test
    void shouldKeyAnOidcLoginByIssuerAndSubject() throws Exception {
        RequestPostProcessor gitlabOidc = oidcLogin()
                .clientRegistration(registration("gitlab-oidc"))
                .idToken(token -> token.issuer(GITLAB_ISSUER).subject(SAME_ID));

        assertThat(balance(gitlabOidc)).isEqualTo(70);
    }

    @Test
    void shouldKeepOneBalancePerJwtIssuer() throws Exception {
        assertThat(balance(jwt().jwt(token -> token.issuer(ISSUER_A).subject(SAME_ID))))
                .isEqualTo(40);
        assertThat(balance(jwt().jwt(token -> token.issuer(ISSUER_B).subject(SAME_ID))))
                .isEqualTo(15);
        assertThat(balance(jwt().jwt(token -> token.issuer(GITLAB_ISSUER).subject(SAME_ID))))
                .as("an access token of the issuer the user signs in with through OIDC: the same account")
                .isEqualTo(70);
    }

    @Test
    void shouldKeepTheNameForPasswordLogins() throws Exception {
        assertThat(balance(user(SAME_ID))).isEqualTo(3);
    }

    @Test
    void shouldListTheLedgerOfTheCallersAccountOnly() throws Exception {
        String body = mvc.perform(get(API + "/tokens/transactions/").with(oauth2("gitlab")))
                .andReturn()
                .getResponse()
                .getContentAsString(StandardCharsets.UTF_8);
        JsonNode items = JSON.readTree(body).get("items");
        assertThat(items).hasSize(1);
        assertThat(items.get(0).get("amount").asLong()).isEqualTo(250);
    }

    private long balance(RequestPostProcessor caller) throws Exception {
        String body = mvc.perform(get(API + "/tokens/balance/").with(caller))
                .andReturn()
                .getResponse()
                .getContentAsString(StandardCharsets.UTF_8);
        return JSON.readTree(body).path("balance").asLong(-1);
    }

    /** An OAuth2 (not OIDC) login through {@code registrationId} of the user whose numeric id is {@value #SAME_ID}. */
    private static RequestPostProcessor oauth2(String registrationId) {
        return oauth2Login()
                .clientRegistration(registration(registrationId))
                .oauth2User(new DefaultOAuth2User(
                        List.of(new SimpleGrantedAuthority("OAUTH2_USER")),
                        Map.of("id", Integer.parseInt(SAME_ID), "login", "octo-" + registrationId),
                        "id"));
    }

    private static ClientRegistration registration(String registrationId) {
        return ClientRegistration.withRegistrationId(registrationId)
                .clientId(registrationId + "-client")
                .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
                .redirectUri("{baseUrl}/login/oauth2/code/{registrationId}")
                .authorizationUri("https://" + registrationId + ".example/oauth/authorize")
                .tokenUri("https://" + registrationId + ".example/oauth/token")
                .userNameAttributeName("id")
                .build();
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {}
}
