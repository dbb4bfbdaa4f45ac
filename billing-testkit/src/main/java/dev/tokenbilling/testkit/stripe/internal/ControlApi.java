package dev.tokenbilling.testkit.stripe.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import dev.tokenbilling.testkit.stripe.DeliveryFailure;
import dev.tokenbilling.testkit.stripe.DeliveryOrder;
import dev.tokenbilling.testkit.stripe.FaultKind;
import dev.tokenbilling.testkit.stripe.WebhookDelivery;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * Test controls over HTTP under {@code /_testkit/}, for the standalone server (no Java API there) and
 * for web pages: the 3-D Secure page Stripe would show, and the helpers of {@code FakeStripe}. No API key
 * is needed; FakeStripe listens on the loopback interface.
 */
public final class ControlApi {
    private final Engine engine;

    ControlApi(Engine engine) {
        this.engine = engine;
    }

    /** Answers one {@code /_testkit/...} request. */
    public void handle(HttpExchange exchange, String method, String path) throws IOException {
        Params q = new Params(FormParser.parse(exchange.getRequestURI().getRawQuery()));
        if (method.equals("POST")) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (body.length > 0) {
                q.raw().putAll(FormParser.parse(new String(body, StandardCharsets.UTF_8)));
            }
        }
        String[] parts = path.substring(1).split("/");
        try {
            route(exchange, method, parts, q);
        } catch (StripeApiError e) {
            json(exchange, e.status(), e.toJson(null));
        } catch (IllegalArgumentException | IllegalStateException e) {
            json(
                    exchange,
                    400,
                    StripeApiError.invalidParam(null, e.getMessage()).toJson(null));
        }
    }

    private void route(HttpExchange ex, String method, String[] p, Params q) throws IOException {
        // p[0] == "_testkit"
        if (p.length == 3 && p[1].equals("3ds") && method.equals("GET")) {
            threeDsPage(ex, p[2]);
        } else if (p.length == 4 && p[1].equals("3ds") && p[3].equals("complete")) {
            boolean succeed = !"false".equals(q.string("succeed"));
            ObjectNode pi = engine.authenticate(p[2], succeed);
            String returnUrl = q.string("return_url");
            if (returnUrl != null) {
                String sep = returnUrl.contains("?") ? "&" : "?";
                String kind = Json.text(pi, "object"); // payment_intent or setup_intent, as Stripe names them
                String target = returnUrl + sep + kind + "=" + enc(Json.text(pi, "id"))
                        + "&" + kind + "_client_secret=" + enc(Json.text(pi, "client_secret"))
                        + "&redirect_status=" + (succeed ? "succeeded" : "failed");
                ex.getResponseHeaders().set("Location", target);
                ex.sendResponseHeaders(303, -1);
                ex.close();
                return;
            }
            json(ex, 200, pi);
        } else if (p.length == 4
                && (p[1].equals("payment_intents") || p[1].equals("setup_intents"))
                && p[3].equals("authenticate")) {
            json(ex, 200, engine.authenticate(p[2], !"false".equals(q.string("succeed"))));
        } else if (p.length == 4 && p[1].equals("payment_intents") && p[3].equals("complete_processing")) {
            json(ex, 200, engine.completeProcessing(p[2], !"false".equals(q.string("succeed"))));
        } else if (p.length == 2 && p[1].equals("disputes") && method.equals("POST")) {
            String target = q.string("charge") != null ? q.string("charge") : q.requiredString("payment_intent");
            String reason = q.string("reason") == null ? "fraudulent" : q.string("reason");
            json(ex, 200, engine.openDispute(target, reason, q.integer("amount")));
        } else if (p.length == 4 && p[1].equals("disputes") && (p[3].equals("win") || p[3].equals("lose"))) {
            json(ex, 200, engine.closeDispute(p[2], p[3].equals("win")));
        } else if (p.length == 5 && p[1].equals("checkout") && p[2].equals("sessions") && p[4].equals("complete")) {
            json(ex, 200, engine.completeCheckout(p[3], q.requiredString("card"), q.string("email")));
        } else if (p.length == 3 && p[1].equals("subscriptions") && p[2].equals("run_due") && method.equals("POST")) {
            engine.runDueRenewals();
            json(ex, 200, Json.object().put("ok", true));
        } else if (p.length == 4 && p[1].equals("refunds") && p[3].equals("fail")) {
            json(ex, 200, engine.failRefund(p[2]));
        } else if (p.length == 3 && p[1].equals("webhooks") && p[2].equals("deliver_held")) {
            DeliveryOrder order = q.string("order") == null
                    ? DeliveryOrder.AS_HAPPENED
                    : DeliveryOrder.valueOf(q.string("order").toUpperCase(Locale.ROOT));
            Long times = q.integer("times");
            json(
                    ex,
                    200,
                    deliveries(engine.deliverHeld(order, times == null ? 1 : times.intValue(), System.nanoTime())));
        } else if (p.length == 3 && p[1].equals("webhooks") && p[2].equals("retry_failed")) {
            json(ex, 200, deliveries(engine.retryFailed()));
        } else if (p.length == 3 && p[1].equals("webhooks") && p[2].equals("fail_next")) {
            Long n = q.integer("count");
            engine.failNextDeliveries(
                    n == null ? 1 : n.intValue(),
                    q.string("kind") == null
                            ? DeliveryFailure.SERVER_ERROR
                            : DeliveryFailure.valueOf(q.string("kind").toUpperCase(Locale.ROOT)));
            json(ex, 200, Json.object().put("ok", true));
        } else if (p.length == 3 && p[1].equals("webhooks") && p[2].equals("mode")) {
            engine.state()
                    .webhooks()
                    .setMode(dev.tokenbilling.testkit.stripe.WebhookMode.valueOf(
                            q.requiredString("mode").toUpperCase(Locale.ROOT)));
            json(
                    ex,
                    200,
                    Json.object().put("mode", engine.state().webhooks().mode().name()));
        } else if (p.length == 3 && p[1].equals("webhooks") && p[2].equals("deliveries")) {
            json(ex, 200, deliveries(engine.state().webhooks().log()));
        } else if (p.length == 2 && p[1].equals("fail_next")) {
            Long n = q.integer("count");
            engine.failNext(
                    q.requiredString("path"),
                    n == null ? 1 : n.intValue(),
                    FaultKind.valueOf(q.requiredString("kind").toUpperCase(Locale.ROOT)));
            json(ex, 200, Json.object().put("ok", true));
        } else if (p.length == 2 && p[1].equals("reset") && method.equals("POST")) {
            engine.reset();
            json(ex, 200, Json.object().put("ok", true));
        } else if (p.length == 3 && p[1].equals("receipts")) {
            ObjectNode charge =
                    engine.state().locked(() -> engine.state().store().find("charge", p[2]));
            if (charge == null) {
                throw StripeApiError.resourceMissing("charge", p[2], "id");
            }
            html(
                    ex,
                    "<!doctype html><title>Receipt</title><h1>Receipt</h1><p>Charge " + esc(p[2])
                            + ": " + charge.get("amount").asLong() + " " + esc(Json.text(charge, "currency"))
                            + " (FakeStripe test receipt)</p>");
        } else {
            throw StripeApiError.unrecognizedUrl(method, String.join("/", p));
        }
    }

    private void threeDsPage(HttpExchange ex, String intentId) throws IOException {
        String kind = intentId.startsWith("seti_") ? "setup_intent" : "payment_intent";
        ObjectNode intent = engine.state().locked(() -> engine.state().store().find(kind, intentId));
        if (intent == null) {
            throw StripeApiError.resourceMissing(kind, intentId, "id");
        }
        String returnUrl = intent.path("next_action")
                .path("redirect_to_url")
                .path("return_url")
                .asText("");
        String action = "/_testkit/3ds/" + enc(intentId) + "/complete";
        String hidden =
                returnUrl.isEmpty() ? "" : "<input type=hidden name=return_url value=\"" + esc(returnUrl) + "\">";
        String what = kind.equals("setup_intent")
                ? "SetupIntent " + esc(intentId) + " (saving a card, no charge)"
                : "PaymentIntent " + esc(intentId) + " of "
                        + intent.get("amount").asLong() + " " + esc(Json.text(intent, "currency"));
        html(
                ex,
                "<!doctype html><meta charset=utf-8><title>3D Secure test page</title>"
                        + "<h1>3D Secure 2 test payment</h1><p>FakeStripe: authenticate " + what + ".</p>"
                        + "<form method=post action=\"" + action + "\">" + hidden
                        + "<input type=hidden name=succeed value=true>"
                        + "<button id=complete type=submit>Complete authentication</button></form>"
                        + "<form method=post action=\"" + action + "\">" + hidden
                        + "<input type=hidden name=succeed value=false>"
                        + "<button id=fail type=submit>Fail authentication</button></form>");
    }

    private static ArrayNode deliveries(List<WebhookDelivery> list) {
        ArrayNode array = Json.array();
        for (WebhookDelivery d : list) {
            ObjectNode node = Json.object();
            node.put("event", d.eventId());
            node.put("type", d.eventType());
            node.put("endpoint", d.endpointId());
            node.put("url", d.url());
            node.put("attempt", d.attempt());
            node.put("status", d.statusCode());
            node.put("succeeded", d.succeeded());
            node.put("error", d.error());
            array.add(node);
        }
        return array;
    }

    private static void json(HttpExchange ex, int status, com.fasterxml.jackson.databind.JsonNode body)
            throws IOException {
        byte[] bytes = Json.prettyBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(bytes);
        }
        ex.close();
    }

    private static void html(HttpExchange ex, String page) throws IOException {
        byte[] bytes = page.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
        ex.sendResponseHeaders(200, bytes.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(bytes);
        }
        ex.close();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s == null ? "" : s, StandardCharsets.UTF_8);
    }

    private static String esc(String s) {
        return s == null
                ? ""
                : s.replace("&", "&amp;")
                        .replace("<", "&lt;")
                        .replace(">", "&gt;")
                        .replace("\"", "&quot;");
    }
}
