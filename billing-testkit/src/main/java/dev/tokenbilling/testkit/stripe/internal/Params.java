package dev.tokenbilling.testkit.stripe.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Typed, validating access to parsed request parameters. Every error is a 400 naming the parameter in
 * Stripe's bracket notation ({@code card[exp_month]}).
 */
public final class Params {
    private static final Set<String> ALWAYS_ALLOWED = Set.of("expand", "key", "_stripe_version");

    private final Map<String, Object> values;
    private final String prefix;

    /** Wraps a parsed tree. */
    public Params(Map<String, Object> values) {
        this(values, null);
    }

    private Params(Map<String, Object> values, String prefix) {
        this.values = values;
        this.prefix = prefix;
    }

    /** An empty parameter set. */
    public static Params empty() {
        return new Params(new LinkedHashMap<>());
    }

    /** The bracket-notation name of a field of this level. */
    public String name(String key) {
        return prefix == null ? key : prefix + "[" + key + "]";
    }

    /** The raw tree. */
    public Map<String, Object> raw() {
        return values;
    }

    /** Whether the parameter is present (even empty). */
    public boolean has(String key) {
        return values.containsKey(key);
    }

    /** Whether the parameter is present with a non-empty value. */
    public boolean present(String key) {
        Object v = values.get(key);
        return v != null && !(v instanceof String && ((String) v).isEmpty());
    }

    /** Whether no parameter was given. */
    public boolean isEmpty() {
        return values.isEmpty();
    }

    /** Top-level keys. */
    public Set<String> keys() {
        return values.keySet();
    }

    /** Answers 400 {@code parameter_unknown} for any key outside {@code allowed}. */
    public Params allowOnly(Collection<String> allowed) {
        for (String key : values.keySet()) {
            if (!allowed.contains(key) && !(prefix == null && ALWAYS_ALLOWED.contains(key))) {
                throw StripeApiError.unknownParam(name(key));
            }
        }
        return this;
    }

    /** Varargs form of {@link #allowOnly(Collection)}. */
    public Params allowOnly(String... allowed) {
        return allowOnly(List.of(allowed));
    }

    /** A string value; null when absent or empty. */
    public String string(String key) {
        Object v = values.get(key);
        if (v == null) {
            return null;
        }
        if (!(v instanceof String)) {
            throw StripeApiError.invalidParam(
                    name(key), "Invalid string: " + name(key) + " must be a string, not a hash or array.");
        }
        String s = (String) v;
        return s.isEmpty() ? null : s;
    }

    /** A string value that must be there. */
    public String requiredString(String key) {
        String s = string(key);
        if (s == null) {
            throw StripeApiError.missingParam(name(key));
        }
        return s;
    }

    /** A string value that must be one of {@code allowed}; null when absent. */
    public String oneOf(String key, Collection<String> allowed) {
        String s = string(key);
        if (s != null && !allowed.contains(s)) {
            throw StripeApiError.invalidParam(
                    name(key),
                    "Invalid "
                            + name(key)
                            + ": must be one of "
                            + String.join(", ", allowed.stream().sorted().toList()));
        }
        return s;
    }

    /** An integer value; null when absent or empty. */
    public Long integer(String key) {
        String s = string(key);
        if (s == null) {
            return null;
        }
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            throw StripeApiError.invalidRequest("parameter_invalid_integer", name(key), "Invalid integer: " + s);
        }
    }

    /** An integer that must be there. */
    public long requiredInteger(String key) {
        Long v = integer(key);
        if (v == null) {
            throw StripeApiError.missingParam(name(key));
        }
        return v;
    }

    /** A boolean ({@code true}/{@code false}); null when absent. */
    public Boolean bool(String key) {
        String s = string(key);
        if (s == null) {
            return null;
        }
        if (s.equals("true")) {
            return Boolean.TRUE;
        }
        if (s.equals("false")) {
            return Boolean.FALSE;
        }
        throw StripeApiError.invalidRequest("parameter_invalid_boolean", name(key), "Invalid boolean: " + s);
    }

    /** A nested hash; null when absent or given as an empty string. */
    @SuppressWarnings("unchecked")
    public Params map(String key) {
        Object v = values.get(key);
        if (v == null || (v instanceof String && ((String) v).isEmpty())) {
            return null;
        }
        if (v instanceof Map) {
            return new Params((Map<String, Object>) v, name(key));
        }
        throw StripeApiError.invalidParam(name(key), "Invalid hash: " + name(key) + " must be a hash.");
    }

    /** A nested hash of strings (metadata): values may be empty strings. */
    public Map<String, String> stringMap(String key) {
        Params nested = map(key);
        if (nested == null) {
            return null;
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (String k : nested.keys()) {
            Object v = nested.values.get(k);
            if (!(v instanceof String)) {
                throw StripeApiError.invalidParam(
                        nested.name(k), "Invalid value for " + nested.name(k) + ": must be a string.");
            }
            out.put(k, (String) v);
        }
        return out;
    }

    /**
     * A list; accepts {@code a[]=x} and {@code a[0]=x}. Elements are strings or nested maps. Null when
     * absent.
     */
    @SuppressWarnings("unchecked")
    public List<Object> list(String key) {
        Object v = values.get(key);
        if (v == null || (v instanceof String && ((String) v).isEmpty())) {
            return null;
        }
        if (v instanceof List) {
            return (List<Object>) v;
        }
        if (v instanceof Map) {
            Map<String, Object> map = (Map<String, Object>) v;
            List<Map.Entry<String, Object>> entries = new ArrayList<>(map.entrySet());
            for (Map.Entry<String, Object> e : entries) {
                if (!e.getKey().matches("\\d{1,6}")) {
                    throw StripeApiError.invalidParam(name(key), "Invalid array: " + name(key) + " must be an array.");
                }
            }
            entries.sort(Comparator.comparingInt(e -> Integer.parseInt(e.getKey())));
            List<Object> out = new ArrayList<>();
            for (Map.Entry<String, Object> e : entries) {
                out.add(e.getValue());
            }
            return out;
        }
        throw StripeApiError.invalidParam(name(key), "Invalid array: " + name(key) + " must be an array.");
    }

    /** A list of strings; null when absent. */
    public List<String> stringList(String key) {
        List<Object> list = list(key);
        if (list == null) {
            return null;
        }
        List<String> out = new ArrayList<>();
        for (Object o : list) {
            if (!(o instanceof String)) {
                throw StripeApiError.invalidParam(
                        name(key), "Invalid array: " + name(key) + " must be an array of strings.");
            }
            out.add((String) o);
        }
        return out;
    }

    /** The {@code expand} list, empty when absent. */
    public List<String> expand() {
        List<String> list = stringList("expand");
        return list == null ? List.of() : list;
    }
}
