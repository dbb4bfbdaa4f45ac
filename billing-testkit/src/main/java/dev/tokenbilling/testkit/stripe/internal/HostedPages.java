package dev.tokenbilling.testkit.stripe.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The pages Stripe hosts, served by FakeStripe outside {@code /v1} with no key, plain HTML a headless
 * browser can drive: Checkout's payment page ({@code /checkout/pay/{id}}: field {@code #card-number},
 * button {@code #pay}; a payment answers 303 to the {@code success_url}, a decline shows the page again
 * with {@code #error}) and the customer portal ({@code /billing_portal/session/{id}}: a {@code
 * #cancel-{subscription}} or {@code #renew-{subscription}} button per subscription, {@code #return}).
 */
public final class HostedPages {
    private final Engine engine;
    private final CheckoutSessionsApi checkout;
    private final SubscriptionsApi subscriptions;

    HostedPages(Engine engine, CheckoutSessionsApi checkout, SubscriptionsApi subscriptions) {
        this.engine = engine;
        this.checkout = checkout;
        this.subscriptions = subscriptions;
    }

    /** Whether a path is one of these pages. */
    public static boolean serves(String path) {
        return path.startsWith("/checkout/pay/") || path.startsWith("/billing_portal/session/");
    }

    /** Answers one page request. */
    public void handle(HttpExchange ex, String method, String path) throws IOException {
        Params form = new Params(FormParser.parse(ex.getRequestURI().getRawQuery()));
        if (method.equals("POST")) {
            byte[] body = ex.getRequestBody().readNBytes(1 << 16);
            form.raw().putAll(FormParser.parse(new String(body, StandardCharsets.UTF_8)));
        }
        String[] p = path.substring(1).split("/");
        try {
            if (p[0].equals("checkout") && p.length == 3) {
                checkoutPage(ex, method, p[2], form);
            } else if (p[0].equals("billing_portal") && p.length == 3 && method.equals("GET")) {
                page(ex, 200, portalPage(p[2]));
            } else if (p[0].equals("billing_portal") && p.length == 6 && method.equals("POST")) {
                boolean cancel = p[5].equals("cancel");
                engine.helper(() -> {
                    ObjectNode sub = portalSubscription(p[2], p[4]);
                    return subscriptions.update(
                            sub, new Params(new LinkedHashMap<>(Map.of("cancel_at_period_end", "" + cancel))));
                });
                redirect(ex, "/billing_portal/session/" + p[2]);
            } else {
                page(ex, 404, "<!doctype html><title>Not found</title><h1>Not found</h1>");
            }
        } catch (StripeApiError e) {
            page(ex, e.status(), "<!doctype html><title>Error</title><p id=error>" + esc(e.getMessage()) + "</p>");
        }
    }

    private void checkoutPage(HttpExchange ex, String method, String id, Params form) throws IOException {
        String error = null;
        if (method.equals("POST")) {
            try {
                ObjectNode session =
                        engine.helper(() -> checkout.complete(id, form.string("card_number"), form.string("email"))
                                .deepCopy());
                String success = Json.text(session, "success_url");
                if (success != null) {
                    redirect(ex, success.replace("{CHECKOUT_SESSION_ID}", id));
                    return;
                }
            } catch (StripeApiError e) {
                if (e.status() != 402) {
                    throw e;
                }
                error = e.getMessage();
            }
        }
        ObjectNode session = engine.state().locked(() -> checkout.require(id).deepCopy());
        List<JsonNode> items = engine.state().locked(() -> {
            List<JsonNode> copy = new ArrayList<>();
            checkout.items(id).forEach(n -> copy.add(n.deepCopy()));
            return copy;
        });
        StringBuilder html = new StringBuilder("<!doctype html><meta charset=utf-8><title>FakeStripe Checkout</title>");
        html.append("<h1>FakeStripe Checkout</h1><ul id=items>");
        for (JsonNode item : items) {
            html.append("<li>")
                    .append(item.get("quantity").asLong())
                    .append(" × ")
                    .append(esc(Json.text(item, "description")))
                    .append(": ")
                    .append(money(item.get("amount_total").asLong(), Json.text(item, "currency")))
                    .append("</li>");
        }
        html.append("</ul><p>Total: <span id=total>")
                .append(money(session.get("amount_total").asLong(), Json.text(session, "currency")))
                .append("</span></p>");
        String status = Json.text(session, "status");
        if (!"open".equals(status)) {
            html.append("<p id=status>This Checkout Session is ")
                    .append(esc(status))
                    .append(".</p>");
            page(ex, 200, html.toString());
            return;
        }
        if (error != null) {
            html.append("<p id=error role=alert>").append(esc(error)).append("</p>");
        }
        html.append("<form method=post action=\"/checkout/pay/").append(esc(id)).append("\">");
        if (session.get("customer").isNull() && session.get("customer_email").isNull()) {
            html.append("<label>Email <input id=email name=email type=email></label><br>");
        }
        html.append("<label>Card number <input id=card-number name=card_number autocomplete=cc-number"
                + " placeholder=\"4242 4242 4242 4242\"></label><br>"
                + "<button id=pay type=submit>Pay</button></form>");
        String cancel = Json.text(session, "cancel_url");
        if (cancel != null) {
            html.append("<p><a id=cancel href=\"").append(esc(cancel)).append("\">Back</a></p>");
        }
        page(ex, 200, html.toString());
    }

    private ObjectNode portalSubscription(String sessionId, String subscriptionId) {
        ObjectNode session = engine.state().store().require("billing_portal.session", sessionId, "id");
        ObjectNode sub = engine.state().store().require("subscription", subscriptionId, "subscription");
        if (!sub.get("customer").asText().equals(session.get("customer").asText())) {
            throw StripeApiError.resourceMissing("subscription", subscriptionId, "subscription");
        }
        return sub;
    }

    private String portalPage(String sessionId) {
        return engine.state().locked(() -> {
            ObjectNode session = engine.state().store().require("billing_portal.session", sessionId, "id");
            String customer = session.get("customer").asText();
            StringBuilder html =
                    new StringBuilder("<!doctype html><meta charset=utf-8><title>FakeStripe customer portal</title>");
            html.append("<h1>Your subscriptions</h1><ul id=subscriptions>");
            for (ObjectNode sub : engine.state()
                    .store()
                    .newestFirst(
                            "subscription",
                            s -> customer.equals(Json.text(s, "customer"))
                                    && !"canceled".equals(Json.text(s, "status"))
                                    && !"incomplete_expired".equals(Json.text(s, "status")))) {
                String id = sub.get("id").asText();
                JsonNode item = sub.get("items").get("data").get(0);
                boolean ending = sub.get("cancel_at_period_end").asBoolean();
                String action = "/billing_portal/session/" + esc(sessionId) + "/subscriptions/" + esc(id) + "/"
                        + (ending ? "renew" : "cancel");
                html.append("<li id=\"")
                        .append(esc(id))
                        .append("\">")
                        .append(esc(
                                Json.text(item.get("price"), "nickname") == null
                                        ? id
                                        : Json.text(item.get("price"), "nickname")))
                        .append(" (")
                        .append(esc(Json.text(sub, "status")))
                        .append(")")
                        .append(ending ? ", ends at " : ", renews at ")
                        .append(Instant.ofEpochSecond(
                                item.get("current_period_end").asLong()))
                        .append(" <form method=post action=\"")
                        .append(action)
                        .append("\"><button id=\"")
                        .append(ending ? "renew-" : "cancel-")
                        .append(esc(id))
                        .append("\" type=submit>")
                        .append(ending ? "Renew subscription" : "Cancel at period end")
                        .append("</button></form></li>");
            }
            html.append("</ul>");
            String back = Json.text(session, "return_url");
            if (back != null) {
                html.append("<p><a id=return href=\"").append(esc(back)).append("\">Return</a></p>");
            }
            return html.toString();
        });
    }

    private static String money(long amount, String currency) {
        return String.format(Locale.ROOT, "%.2f %s", amount / 100.0, currency.toUpperCase(Locale.ROOT));
    }

    private static void redirect(HttpExchange ex, String location) throws IOException {
        ex.getResponseHeaders().set("Location", location);
        ex.sendResponseHeaders(303, -1);
        ex.close();
    }

    private static void page(HttpExchange ex, int status, String html) throws IOException {
        byte[] bytes = html.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(bytes);
        }
        ex.close();
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
