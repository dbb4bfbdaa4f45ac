package dev.tokenbilling.testkit.stripe.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.function.Function;

/**
 * Stripe's list objects: {@code {"object":"list","data":[...],"has_more":...,"url":...}}, newest
 * first, with {@code limit}, {@code starting_after}, {@code ending_before}, and range filters such as
 * {@code created[gte]}.
 */
public final class Lists {
    /** The paging parameters every list endpoint takes. */
    public static final List<String> PAGING = List.of("limit", "starting_after", "ending_before");

    private Lists() {}

    /**
     * One page of {@code newestFirst}, each item rendered by {@code render}.
     *
     * @param url the list's path, e.g. {@code /v1/payment_intents}
     */
    public static ObjectNode page(
            String url, List<ObjectNode> newestFirst, Params params, Function<ObjectNode, ObjectNode> render) {
        int limit = limit(params);
        String after = params.string("starting_after");
        String before = params.string("ending_before");
        if (after != null && before != null) {
            throw StripeApiError.invalidParam(
                    "ending_before", "You may only specify one of these parameters: ending_before, starting_after.");
        }
        int from = 0;
        int to = newestFirst.size();
        if (after != null) {
            int i = indexOf(newestFirst, after, "starting_after");
            from = i + 1;
            to = Math.min(newestFirst.size(), from + limit);
        } else if (before != null) {
            int i = indexOf(newestFirst, before, "ending_before");
            to = i;
            from = Math.max(0, to - limit);
        } else {
            to = Math.min(newestFirst.size(), limit);
        }
        boolean hasMore = before != null ? from > 0 : to < newestFirst.size();
        ArrayNode data = Json.array();
        for (ObjectNode node : newestFirst.subList(from, to)) {
            data.add(render.apply(node));
        }
        ObjectNode list = Json.object();
        list.put("object", "list");
        list.set("data", data);
        list.put("has_more", hasMore);
        list.put("url", url);
        return list;
    }

    /** A search result page; {@code page} is the opaque cursor from {@code next_page}. */
    public static ObjectNode searchPage(
            String url, List<ObjectNode> matches, Params params, Function<ObjectNode, ObjectNode> render) {
        int limit = limit(params);
        int from = 0;
        String page = params.string("page");
        if (page != null) {
            try {
                from = Integer.parseInt(page.replace("page_", ""));
            } catch (NumberFormatException e) {
                throw StripeApiError.invalidParam("page", "Invalid page: " + page);
            }
        }
        from = Math.min(from, matches.size());
        int to = Math.min(matches.size(), from + limit);
        ArrayNode data = Json.array();
        for (ObjectNode node : matches.subList(from, to)) {
            data.add(render.apply(node));
        }
        ObjectNode result = Json.object();
        result.put("object", "search_result");
        result.set("data", data);
        result.put("has_more", to < matches.size());
        if (to < matches.size()) {
            result.put("next_page", "page_" + to);
        } else {
            result.putNull("next_page");
        }
        result.put("url", url);
        return result;
    }

    private static int limit(Params params) {
        Long limit = params.integer("limit");
        if (limit == null) {
            return 10;
        }
        if (limit < 1 || limit > 100) {
            throw StripeApiError.invalidParam(
                    "limit", "Invalid limit: must be an integer between 1 and 100, inclusive.");
        }
        return limit.intValue();
    }

    private static int indexOf(List<ObjectNode> items, String id, String param) {
        for (int i = 0; i < items.size(); i++) {
            if (id.equals(Json.text(items.get(i), "id"))) {
                return i;
            }
        }
        throw StripeApiError.invalidRequest("resource_missing", param, "No such object: '" + id + "'");
    }

    /**
     * Whether the numeric {@code field} of {@code node} passes the range filter {@code param}: either
     * {@code created=123} or {@code created[gt|gte|lt|lte]=123}. True when the filter is absent.
     */
    public static boolean inRange(ObjectNode node, String field, Params params, String param) {
        if (!params.has(param)) {
            return true;
        }
        JsonNode value = node.get(field);
        if (value == null || !value.isNumber()) {
            return false;
        }
        long v = value.asLong();
        Params range = null;
        if (params.raw().get(param) instanceof java.util.Map) {
            range = params.map(param);
        }
        if (range == null) {
            Long exact = params.integer(param);
            return exact == null || v == exact;
        }
        range.allowOnly("gt", "gte", "lt", "lte");
        Long gt = range.integer("gt");
        Long gte = range.integer("gte");
        Long lt = range.integer("lt");
        Long lte = range.integer("lte");
        return (gt == null || v > gt)
                && (gte == null || v >= gte)
                && (lt == null || v < lt)
                && (lte == null || v <= lte);
    }

    /** Whether a text field equals the parameter, or the parameter is absent. */
    public static boolean textEquals(ObjectNode node, String field, Params params, String param) {
        String wanted = params.string(param);
        return wanted == null || wanted.equals(Json.text(node, field));
    }

    /** Whether a boolean field equals the parameter, or the parameter is absent. */
    public static boolean boolEquals(ObjectNode node, String field, Params params, String param) {
        Boolean wanted = params.bool(param);
        return wanted == null || (node.get(field) != null && node.get(field).asBoolean() == wanted);
    }
}
