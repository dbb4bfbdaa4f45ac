package dev.tokenbilling.testkit.stripe.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.tokenbilling.testkit.stripe.FaultKind;
import dev.tokenbilling.testkit.stripe.RecordedRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP side of every API call: CORS, injected faults, parameter parsing, authentication, routing,
 * idempotency, the handler under the state lock, then webhooks and the answer with Stripe's headers.
 * Never lets an exception escape: anything unexpected is a 500 {@code api_error}.
 */
public final class HttpFront implements HttpHandler {
    private static final Logger LOG = LoggerFactory.getLogger(HttpFront.class);
    private static final int MAX_BODY = 1 << 20;

    private final Engine engine;

    /** The front of this engine. */
    public HttpFront(Engine engine) {
        this.engine = engine;
    }

    private record Answer(int status, byte[] body, Map<String, String> headers) {}

    @Override
    public void handle(HttpExchange exchange) {
        String requestId = Ids.requestId();
        String method = exchange.getRequestMethod().toUpperCase();
        String path = normalize(exchange.getRequestURI().getRawPath());
        String idempotencyKey = exchange.getRequestHeaders().getFirst("Idempotency-Key");
        String paramsJson = "{}";
        Answer answer;
        FaultKind fault = null;
        try {
            cors(exchange);
            if (method.equals("OPTIONS")) {
                preflight(exchange);
                return;
            }
            if (HostedPages.serves(path)) {
                engine.pages().handle(exchange, method, path);
                return;
            }
            if (path.startsWith("/_testkit/") || path.equals("/_testkit")) {
                engine.control().handle(exchange, method, path);
                return;
            }
            fault = engine.faults().take(path);
            Map<String, Object> tree = FormParser.parse(exchange.getRequestURI().getRawQuery());
            String body = readBody(exchange);
            if (!body.isEmpty()) {
                tree.putAll(FormParser.parse(body));
            }
            paramsJson = canonical(tree);
            if (fault == FaultKind.SERVER_ERROR) {
                answer = error(
                        StripeApiError.server(
                                "Something went wrong on Stripe's end (simulated by" + " FakeStripe.failNext)."),
                        requestId);
            } else if (fault == FaultKind.RATE_LIMIT) {
                answer = error(StripeApiError.rateLimit(), requestId);
            } else {
                answer = execute(exchange, method, path, new Params(tree), requestId, idempotencyKey);
            }
        } catch (StripeApiError e) {
            answer = error(e, requestId);
        } catch (RuntimeException | Error | IOException e) {
            LOG.warn("FakeStripe failed on {} {}", method, path, e);
            answer = error(StripeApiError.server("FakeStripe failed on this request: " + e), requestId);
        }
        engine.requestLog()
                .add(new RecordedRequest(requestId, method, path, paramsJson, idempotencyKey, answer.status()));
        if (fault == FaultKind.TIMEOUT) {
            try {
                Thread.sleep(engine.timeoutDelay().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                exchange.close();
                return;
            }
        }
        send(exchange, answer, requestId);
    }

    private Answer execute(
            HttpExchange exchange, String method, String path, Params params, String requestId, String idempotencyKey) {
        Headers headers = exchange.getRequestHeaders();
        ApiKeyAuth.Caller caller = engine.auth().authenticate(headers.getFirst("Authorization"), params);
        Router.Match match = engine.router().match(method, path);
        if (match == null) {
            throw StripeApiError.unrecognizedUrl(method, path);
        }
        if (caller.publishable() && match.route().access() == Router.Access.SECRET) {
            throw ApiKeyAuth.publishableNotAllowed();
        }
        boolean idempotent = idempotencyKey != null && method.equals("POST");
        if (idempotent && idempotencyKey.length() > 255) {
            throw StripeApiError.invalidParam(null, "Idempotency-Key must be at most 255 characters.");
        }
        FakeStripeState state = engine.state();
        Answer answer;
        state.lock().lock();
        try {
            String fingerprint = null;
            if (idempotent) {
                Map<String, Object> withoutKey = new LinkedHashMap<>(params.raw());
                withoutKey.remove("key");
                fingerprint = method + " " + path + " " + canonical(withoutKey);
                IdempotencyCache.Entry kept = engine.idempotency().find(idempotencyKey);
                if (kept != null) {
                    if (!kept.fingerprint().equals(fingerprint)) {
                        throw IdempotencyCache.mismatch(idempotencyKey);
                    }
                    Map<String, String> extra = new LinkedHashMap<>();
                    extra.put("Idempotent-Replayed", "true");
                    extra.put("Original-Request", kept.requestId());
                    return new Answer(kept.status(), kept.body(), extra);
                }
            }
            ApiRequest request = new ApiRequest(method, path, match.vars(), params, caller.publishable(), requestId);
            boolean keep;
            try {
                ObjectNode body = RequestScope.with(
                        requestId,
                        idempotent ? idempotencyKey : null,
                        () -> match.route().handler().handle(request));
                answer = new Answer(200, Json.prettyBytes(body), Map.of());
                keep = true;
            } catch (StripeApiError e) {
                answer = error(e, requestId);
                keep = e.executed();
            }
            if (idempotent && keep) {
                engine.idempotency()
                        .put(
                                idempotencyKey,
                                new IdempotencyCache.Entry(fingerprint, answer.status(), answer.body(), requestId));
            }
        } finally {
            state.lock().unlock();
            engine.state().webhooks().flushCurrentThread();
        }
        return answer;
    }

    private static Answer error(StripeApiError e, String requestId) {
        return new Answer(e.status(), Json.prettyBytes(e.toJson(requestId)), Map.of());
    }

    private void send(HttpExchange exchange, Answer answer, String requestId) {
        try (exchange) {
            Headers out = exchange.getResponseHeaders();
            out.set("Content-Type", "application/json");
            out.set("Request-Id", requestId);
            out.set("Cache-Control", "no-cache, no-store");
            String version = exchange.getRequestHeaders().getFirst("Stripe-Version");
            out.set("Stripe-Version", version == null ? engine.state().apiVersion() : version);
            String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
            if (key != null) {
                out.set("Idempotency-Key", key);
            }
            answer.headers().forEach(out::set);
            exchange.sendResponseHeaders(answer.status(), answer.body().length == 0 ? -1 : answer.body().length);
            try (OutputStream os = exchange.getResponseBody()) {
                os.write(answer.body());
            }
        } catch (IOException e) {
            LOG.debug("Client went away before the answer to {}", requestId);
        }
    }

    private static void cors(HttpExchange exchange) {
        Headers out = exchange.getResponseHeaders();
        String origin = exchange.getRequestHeaders().getFirst("Origin");
        out.set("Access-Control-Allow-Origin", origin == null ? "*" : origin);
        out.set("Vary", "Origin");
        out.set(
                "Access-Control-Expose-Headers",
                "Request-Id, Stripe-Version, Idempotency-Key, Idempotent-Replayed, Original-Request");
    }

    private static void preflight(HttpExchange exchange) throws IOException {
        Headers out = exchange.getResponseHeaders();
        out.set("Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS");
        String asked = exchange.getRequestHeaders().getFirst("Access-Control-Request-Headers");
        out.set(
                "Access-Control-Allow-Headers",
                asked != null ? asked : "Authorization, Content-Type, Idempotency-Key, Stripe-Version, Stripe-Account");
        out.set("Access-Control-Max-Age", "300");
        exchange.sendResponseHeaders(204, -1);
        exchange.close();
    }

    private static String readBody(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] bytes = in.readNBytes(MAX_BODY + 1);
            if (bytes.length > MAX_BODY) {
                throw StripeApiError.invalidParam(null, "Request body too large.");
            }
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    private static String normalize(String rawPath) {
        String path = rawPath == null || rawPath.isEmpty() ? "/" : rawPath;
        while (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        return path;
    }

    static String canonical(Map<String, Object> tree) {
        try {
            return Json.MAPPER.writeValueAsString(tree);
        } catch (JsonProcessingException e) {
            return tree.toString();
        }
    }
}
