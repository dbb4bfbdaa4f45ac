package dev.tokenbilling.benchmarks;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A PostgreSQL URL given on the command line, split into a JDBC URL without credentials, the
 * credentials, and a display form ({@code host:port/database}) that is safe to print.
 *
 * <p>Accepts {@code jdbc:postgresql://host[:port]/db[?user=..&password=..]} and the libpq form
 * {@code postgresql://[user[:password]@]host[:port]/db}. Multi-host URLs are passed through as they are.
 */
public record DatabaseUrl(String jdbcUrl, Optional<String> user, Optional<String> password, String display) {

    private static final String JDBC_PREFIX = "jdbc:postgresql://";

    public static DatabaseUrl parse(String url) {
        String trimmed = url.trim();
        String rest;
        if (trimmed.startsWith(JDBC_PREFIX)) {
            rest = trimmed.substring(JDBC_PREFIX.length());
        } else if (trimmed.startsWith("postgresql://") || trimmed.startsWith("postgres://")) {
            rest = trimmed.substring(trimmed.indexOf("://") + 3);
        } else {
            throw new IllegalArgumentException(
                    "not a PostgreSQL URL (expected jdbc:postgresql://host:port/db): " + redact(trimmed));
        }
        Optional<String> user = Optional.empty();
        Optional<String> password = Optional.empty();
        int at = rest.lastIndexOf('@', rest.indexOf('/') < 0 ? rest.length() : rest.indexOf('/'));
        if (at >= 0) {
            String credentials = rest.substring(0, at);
            rest = rest.substring(at + 1);
            int colon = credentials.indexOf(':');
            user = Optional.of(decode(colon < 0 ? credentials : credentials.substring(0, colon)));
            password = colon < 0 ? Optional.empty() : Optional.of(decode(credentials.substring(colon + 1)));
        }
        String address = rest;
        Map<String, String> parameters = new LinkedHashMap<>();
        int question = rest.indexOf('?');
        if (question >= 0) {
            address = rest.substring(0, question);
            for (String pair : rest.substring(question + 1).split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int equals = pair.indexOf('=');
                String name = equals < 0 ? pair : pair.substring(0, equals);
                String value = equals < 0 ? "" : decode(pair.substring(equals + 1));
                switch (name) {
                    case "user" -> user = Optional.of(value);
                    case "password" -> password = Optional.of(value);
                    default -> parameters.put(name, equals < 0 ? pair : pair.substring(equals + 1));
                }
            }
        }
        String query = parameters.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining("&"));
        String jdbcUrl = JDBC_PREFIX + address + (query.isEmpty() ? "" : "?" + query);
        return new DatabaseUrl(jdbcUrl, user, password, address.isEmpty() ? "localhost" : address);
    }

    private static String decode(String text) {
        return URLDecoder.decode(text, StandardCharsets.UTF_8);
    }

    /** The URL with anything that could be a secret removed, for error messages. */
    private static String redact(String url) {
        try {
            URI uri = URI.create(url);
            return uri.getScheme() + "://" + (uri.getHost() == null ? "?" : uri.getHost());
        } catch (IllegalArgumentException e) {
            return "<unparsable URL>";
        }
    }

    @Override
    public String toString() {
        return "DatabaseUrl[" + display + ", user=" + user.orElse("-") + "]";
    }
}
