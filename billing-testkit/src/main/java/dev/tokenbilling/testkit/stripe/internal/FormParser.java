package dev.tokenbilling.testkit.stripe.internal;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses Stripe's form encoding with bracket notation into a tree of maps, lists and strings:
 * {@code metadata[key]=v}, {@code expand[]=x} or {@code expand[0]=x} (what stripe-java sends),
 * {@code payment_method_data[card][number]=4242...}. Indexed keys stay map entries keyed by the
 * index; {@link Params} reads such a map as a list.
 */
public final class FormParser {
    private FormParser() {}

    /** Parses an {@code application/x-www-form-urlencoded} string (a body or a query). */
    public static Map<String, Object> parse(String encoded) {
        Map<String, Object> root = new LinkedHashMap<>();
        if (encoded == null || encoded.isEmpty()) {
            return root;
        }
        for (String pair : encoded.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String rawKey = eq < 0 ? pair : pair.substring(0, eq);
            String rawValue = eq < 0 ? "" : pair.substring(eq + 1);
            String key = decode(rawKey, rawKey);
            String value = decode(rawValue, key);
            put(root, key, value);
        }
        return root;
    }

    private static String decode(String raw, String param) {
        try {
            return URLDecoder.decode(raw, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw StripeApiError.invalidParam(param, "Invalid URL encoding in parameter: " + param);
        }
    }

    /** Splits {@code a[b][]} into {@code [a, b, ""]}. */
    static List<String> segments(String key) {
        List<String> parts = new ArrayList<>();
        int open = key.indexOf('[');
        if (open < 0) {
            parts.add(key);
            return parts;
        }
        if (open == 0) {
            throw StripeApiError.invalidParam(key, "Invalid parameter name: " + key);
        }
        parts.add(key.substring(0, open));
        int i = open;
        while (i < key.length()) {
            if (key.charAt(i) != '[') {
                throw StripeApiError.invalidParam(key, "Invalid parameter name: " + key);
            }
            int close = key.indexOf(']', i);
            if (close < 0) {
                throw StripeApiError.invalidParam(key, "Invalid parameter name: " + key);
            }
            parts.add(key.substring(i + 1, close));
            i = close + 1;
        }
        return parts;
    }

    @SuppressWarnings("unchecked")
    private static void put(Map<String, Object> root, String key, String value) {
        List<String> parts = segments(key);
        Object container = root;
        StringBuilder name = new StringBuilder(parts.get(0));
        for (int i = 0; i < parts.size(); i++) {
            String part = parts.get(i);
            boolean last = i == parts.size() - 1;
            if (i > 0) {
                name.append('[').append(part).append(']');
            }
            if (container instanceof Map) {
                Map<String, Object> map = (Map<String, Object>) container;
                if (part.isEmpty()) {
                    throw StripeApiError.invalidParam(key, "Invalid parameter name: " + key);
                }
                if (last) {
                    Object existing = map.get(part);
                    if (existing != null && !(existing instanceof String)) {
                        throw conflict(name.toString());
                    }
                    map.put(part, value);
                    return;
                }
                String next = parts.get(i + 1);
                Object child = map.get(part);
                if (child == null) {
                    child = next.isEmpty() ? new ArrayList<>() : new LinkedHashMap<String, Object>();
                    map.put(part, child);
                } else if (child instanceof String) {
                    if (!((String) child).isEmpty()) {
                        throw conflict(name.toString());
                    }
                    child = next.isEmpty() ? new ArrayList<>() : new LinkedHashMap<String, Object>();
                    map.put(part, child);
                } else if (next.isEmpty() != (child instanceof List)) {
                    throw conflict(name.toString());
                }
                container = child;
            } else {
                List<Object> list = (List<Object>) container;
                // part is "" here: append, or for a[][x]=.. fill the last element until a key repeats.
                if (last) {
                    list.add(value);
                    return;
                }
                String next = parts.get(i + 1);
                if (next.isEmpty()) {
                    throw StripeApiError.invalidParam(key, "Invalid parameter name: " + key);
                }
                Object tail = list.isEmpty() ? null : list.get(list.size() - 1);
                if (tail instanceof Map && !((Map<String, Object>) tail).containsKey(next)) {
                    container = tail;
                } else {
                    Map<String, Object> element = new LinkedHashMap<>();
                    list.add(element);
                    container = element;
                }
            }
        }
    }

    private static StripeApiError conflict(String name) {
        return StripeApiError.invalidParam(
                name, "Invalid value for " + name + ": it is given both as a value and as a hash or array.");
    }
}
