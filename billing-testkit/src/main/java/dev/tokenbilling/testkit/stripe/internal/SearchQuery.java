package dev.tokenbilling.testkit.stripe.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A subset of Stripe's search query language: clauses {@code field:'value'}, {@code
 * metadata['key']:'value'}, {@code amount>1000} (also {@code <}, {@code >=}, {@code <=}), {@code
 * field~'substring'}, {@code field:null}, negation with a leading {@code -}, joined all by {@code AND}
 * or all by {@code OR}.
 */
public final class SearchQuery {
    private record Clause(boolean negated, String field, String metadataKey, String op, String value, boolean quoted) {}

    private final List<Clause> clauses;
    private final boolean any;

    private SearchQuery(List<Clause> clauses, boolean any) {
        this.clauses = clauses;
        this.any = any;
    }

    /** Parses {@code query}; 400 naming {@code query} when it is malformed or uses another field. */
    public static SearchQuery parse(String query, Set<String> fields) {
        if (query == null || query.isBlank()) {
            throw StripeApiError.missingParam("query");
        }
        Tokenizer t = new Tokenizer(query);
        List<Clause> clauses = new ArrayList<>();
        String joiner = null;
        while (true) {
            clauses.add(t.clause(fields));
            t.skipSpaces();
            if (t.atEnd()) {
                break;
            }
            String word = t.word();
            if (!word.equals("AND") && !word.equals("OR")) {
                throw bad(query, "expected AND or OR at position " + t.pos);
            }
            if (joiner != null && !joiner.equals(word)) {
                throw bad(query, "AND and OR cannot be mixed");
            }
            joiner = word;
        }
        if (clauses.size() > 10) {
            throw bad(query, "at most 10 clauses");
        }
        return new SearchQuery(clauses, "OR".equals(joiner));
    }

    /** Whether the object matches. */
    public boolean matches(ObjectNode node) {
        for (Clause c : clauses) {
            boolean m = matches(node, c) != c.negated();
            if (any && m) {
                return true;
            }
            if (!any && !m) {
                return false;
            }
        }
        return !any;
    }

    private static boolean matches(ObjectNode node, Clause c) {
        JsonNode value = node.get(c.field());
        if (c.metadataKey() != null) {
            value = value == null ? null : value.get(c.metadataKey());
        }
        if (!c.quoted() && c.value().equals("null") && c.op().equals(":")) {
            return value == null || value.isNull();
        }
        if (value == null || value.isNull()) {
            return false;
        }
        String text = value.asText();
        switch (c.op()) {
            case ":":
                if (value.isNumber() && !c.quoted()) {
                    return compare(value, c.value()) == 0;
                }
                return text.equalsIgnoreCase(c.value());
            case "~":
                return text.toLowerCase().contains(c.value().toLowerCase());
            case ">":
                return compare(value, c.value()) > 0;
            case "<":
                return compare(value, c.value()) < 0;
            case ">=":
                return compare(value, c.value()) >= 0;
            case "<=":
                return compare(value, c.value()) <= 0;
            default:
                return false;
        }
    }

    private static int compare(JsonNode value, String wanted) {
        try {
            return Long.compare(value.asLong(), Long.parseLong(wanted));
        } catch (NumberFormatException e) {
            throw bad(wanted, "a number is needed");
        }
    }

    private static StripeApiError bad(String query, String why) {
        return StripeApiError.invalidParam("query", "Invalid search query (" + why + "): " + query);
    }

    private static final class Tokenizer {
        private final String s;
        private int pos;

        Tokenizer(String s) {
            this.s = s;
        }

        boolean atEnd() {
            return pos >= s.length();
        }

        void skipSpaces() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
                pos++;
            }
        }

        String word() {
            int start = pos;
            while (pos < s.length() && !Character.isWhitespace(s.charAt(pos))) {
                pos++;
            }
            return s.substring(start, pos);
        }

        Clause clause(Set<String> fields) {
            skipSpaces();
            boolean negated = false;
            if (pos < s.length() && s.charAt(pos) == '-') {
                negated = true;
                pos++;
            }
            int start = pos;
            while (pos < s.length() && (Character.isLetterOrDigit(s.charAt(pos)) || s.charAt(pos) == '_')) {
                pos++;
            }
            String field = s.substring(start, pos);
            if (field.isEmpty()) {
                throw bad(s, "expected a field at position " + pos);
            }
            if (!fields.contains(field)) {
                throw bad(s, "field " + field + " is not searchable here; use one of " + fields);
            }
            String metadataKey = null;
            if (pos < s.length() && s.charAt(pos) == '[') {
                pos++;
                metadataKey = quoted();
                if (pos >= s.length() || s.charAt(pos) != ']') {
                    throw bad(s, "expected ] at position " + pos);
                }
                pos++;
            }
            String op;
            if (s.startsWith(">=", pos) || s.startsWith("<=", pos)) {
                op = s.substring(pos, pos + 2);
                pos += 2;
            } else if (pos < s.length() && ":<>~".indexOf(s.charAt(pos)) >= 0) {
                op = String.valueOf(s.charAt(pos));
                pos++;
            } else {
                throw bad(s, "expected an operator at position " + pos);
            }
            String value;
            boolean quoted;
            if (pos < s.length() && (s.charAt(pos) == '\'' || s.charAt(pos) == '"')) {
                value = quoted();
                quoted = true;
            } else {
                value = word();
                quoted = false;
                if (value.isEmpty()) {
                    throw bad(s, "expected a value at position " + pos);
                }
            }
            return new Clause(negated, field, metadataKey, op, value, quoted);
        }

        String quoted() {
            if (pos >= s.length() || (s.charAt(pos) != '\'' && s.charAt(pos) != '"')) {
                throw bad(s, "expected a quoted string at position " + pos);
            }
            char q = s.charAt(pos++);
            StringBuilder sb = new StringBuilder();
            while (pos < s.length() && s.charAt(pos) != q) {
                if (s.charAt(pos) == '\\' && pos + 1 < s.length()) {
                    pos++;
                }
                sb.append(s.charAt(pos++));
            }
            if (pos >= s.length()) {
                throw bad(s, "unterminated string");
            }
            pos++;
            return sb.toString();
        }
    }
}
