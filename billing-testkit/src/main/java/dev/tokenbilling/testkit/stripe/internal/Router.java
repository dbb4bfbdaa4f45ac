package dev.tokenbilling.testkit.stripe.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Maps a method and a path such as {@code /v1/payment_intents/{id}/confirm} to a handler. */
public final class Router {
    /** Which API keys may call a route. */
    public enum Access {
        /** Secret keys only. */
        SECRET,
        /** Secret keys and publishable keys (what Stripe.js calls). */
        PUBLISHABLE
    }

    /** Handles one call and answers the JSON body of a 200. */
    @FunctionalInterface
    public interface Handler {
        /** Handles the request; throws {@link StripeApiError} for error answers. */
        ObjectNode handle(ApiRequest request);
    }

    /** A registered route. */
    public record Route(String method, String[] segments, Access access, Handler handler) {}

    /** A route that matched, with the values of its variables. */
    public record Match(Route route, Map<String, String> vars) {}

    private final List<Route> routes = new ArrayList<>();

    /** Registers a secret-key route. */
    public Router add(String method, String pattern, Handler handler) {
        return add(method, pattern, Access.SECRET, handler);
    }

    /** Registers a route. */
    public Router add(String method, String pattern, Access access, Handler handler) {
        routes.add(new Route(method, pattern.substring(1).split("/"), access, handler));
        return this;
    }

    /** The best route for the call (literal segments beat variables), or null. */
    public Match match(String method, String path) {
        String[] parts = path.substring(1).split("/");
        Match best = null;
        int bestScore = -1;
        for (Route route : routes) {
            if (!route.method().equals(method) || route.segments().length != parts.length) {
                continue;
            }
            Map<String, String> vars = new HashMap<>();
            int score = 0;
            boolean ok = true;
            for (int i = 0; i < parts.length && ok; i++) {
                String seg = route.segments()[i];
                if (seg.startsWith("{")) {
                    if (parts[i].isEmpty()) {
                        ok = false;
                    } else {
                        vars.put(seg.substring(1, seg.length() - 1), decode(parts[i]));
                    }
                } else if (seg.equals(parts[i])) {
                    score++;
                } else {
                    ok = false;
                }
            }
            if (ok && score > bestScore) {
                best = new Match(route, vars);
                bestScore = score;
            }
        }
        return best;
    }

    private static String decode(String segment) {
        try {
            return java.net.URLDecoder.decode(segment, java.nio.charset.StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return segment;
        }
    }
}
