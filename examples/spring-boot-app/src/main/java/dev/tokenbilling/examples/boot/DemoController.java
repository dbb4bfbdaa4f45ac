package dev.tokenbilling.examples.boot;

import dev.tokenbilling.boot.web.BillingJson.BalanceView;
import dev.tokenbilling.error.InsufficientTokensException;
import dev.tokenbilling.error.InvalidRequestException;
import dev.tokenbilling.model.Debit;
import dev.tokenbilling.model.IdempotencyKey;
import dev.tokenbilling.model.UserId;
import dev.tokenbilling.service.LedgerService;
import dev.tokenbilling.service.TokenBillingService;
import java.security.Principal;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The little the page needs besides the starter's API: who is signed in (with the CSRF token for
 * its POSTs), and a button that spends tokens the way an application's AI feature would, through
 * {@link LedgerService#debit}, and the latest low-balance and auto-recharge events the demo's
 * {@link DemoBillingEvents} listener heard.
 */
@RestController
@RequestMapping("/api/demo")
class DemoController {

    private final TokenBillingService billing;
    private final boolean demoMode;
    private final DemoBillingEvents events;

    DemoController(TokenBillingService billing, Environment environment, DemoBillingEvents events) {
        this.billing = billing;
        this.events = events;
        this.demoMode = environment.containsProperty(DemoModeEnvironment.INSTANCE_ID);
    }

    /** The CSRF token for the login form (public). */
    @GetMapping("/csrf")
    Map<String, String> csrf(CsrfToken token) {
        return Map.of(
                "headerName",
                token.getHeaderName(),
                "parameterName",
                token.getParameterName(),
                "token",
                token.getToken());
    }

    /** The signed-in user, the CSRF token for the page's POSTs, and whether payments go to the embedded FakeStripe. */
    @GetMapping("/me")
    Map<String, Object> me(Principal principal, CsrfToken token) {
        return Map.of("username", principal.getName(), "demoMode", demoMode, "csrf", csrf(token));
    }

    /** Spends tokens as an AI request would: one ledger debit, refused when the balance is too low. */
    @PostMapping("/usage")
    BalanceView use(Principal principal, @RequestParam(name = "tokens", defaultValue = "2500") long tokens) {
        UserId user = UserId.of(principal.getName());
        billing.ledger()
                .debit(Debit.of(user, tokens, IdempotencyKey.of("demo-" + UUID.randomUUID()))
                        .withDescription("Demo AI request"));
        return BalanceView.of(billing.ledger().balance(user));
    }

    /** The signed-in user's latest {@code balance.low} and {@code recharge.*} billing events, newest first. */
    @GetMapping("/events")
    List<Map<String, Object>> events(Principal principal) {
        return events.recent(UserId.of(principal.getName())).stream()
                .map(event -> Map.<String, Object>of(
                        "id",
                        event.id(),
                        "type",
                        event.type(),
                        "createdAt",
                        event.createdAt().toString()))
                .toList();
    }

    @ExceptionHandler(InsufficientTokensException.class)
    ProblemDetail insufficient(InsufficientTokensException e) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(
                HttpStatus.CONFLICT,
                "This request needs " + e.requested() + " tokens but only " + e.available()
                        + " are available. Buy more tokens.");
        problem.setTitle("Not enough tokens");
        return problem;
    }

    @ExceptionHandler(InvalidRequestException.class)
    ProblemDetail invalid(InvalidRequestException e) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, e.getMessage());
        problem.setTitle("Invalid request");
        return problem;
    }
}
