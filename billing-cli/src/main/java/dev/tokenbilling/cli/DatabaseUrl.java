package dev.tokenbilling.cli;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Properties;

/**
 * A PostgreSQL location as users write it: a JDBC URL ({@code jdbc:postgresql://host:5432/db?user=u})
 * or a libpq URL ({@code postgresql://user:password@host:5432/db}). User and password come from the URL
 * or, when it has none, from {@code BILLING_DATABASE_USER} / {@code BILLING_DATABASE_PASSWORD}.
 * {@link #toString()} never shows the password.
 */
public record DatabaseUrl(
        String jdbcUrl, Optional<String> user, Optional<String> password, String host, int port, String database) {

    public static final int DEFAULT_PORT = 5432;

    /** Parses {@code url}; throws a usage {@link CliException} naming the expected forms. */
    public static DatabaseUrl parse(String url, Optional<String> fallbackUser, Optional<String> fallbackPassword) {
        String trimmed = url.trim();
        Optional<String> user = Optional.empty();
        Optional<String> password = Optional.empty();
        String jdbc;
        if (trimmed.startsWith("postgresql://") || trimmed.startsWith("postgres://")) {
            String rest = trimmed.substring(trimmed.indexOf("://") + 3);
            int slash = rest.indexOf('/');
            int at = rest.lastIndexOf('@', slash < 0 ? rest.length() : slash);
            if (at >= 0) {
                String userInfo = rest.substring(0, at);
                rest = rest.substring(at + 1);
                int colon = userInfo.indexOf(':');
                user = Optional.of(decode(colon < 0 ? userInfo : userInfo.substring(0, colon)))
                        .filter(s -> !s.isEmpty());
                password = colon < 0 ? Optional.empty() : Optional.of(decode(userInfo.substring(colon + 1)));
            }
            jdbc = "jdbc:postgresql://" + rest;
        } else if (trimmed.startsWith("jdbc:postgresql:")) {
            jdbc = trimmed;
        } else {
            throw CliException.usage("database URL '" + redact(trimmed) + "' is not a PostgreSQL URL: use"
                    + " postgresql://user:password@host:5432/dbname or jdbc:postgresql://host:5432/dbname");
        }
        Properties parsed = org.postgresql.Driver.parseURL(jdbc, null);
        if (parsed == null) {
            throw CliException.usage("database URL '" + redact(trimmed) + "' could not be parsed: use"
                    + " postgresql://user:password@host:5432/dbname or jdbc:postgresql://host:5432/dbname");
        }
        if (user.isEmpty()) {
            user = Optional.ofNullable(parsed.getProperty("user")).or(() -> fallbackUser);
        }
        if (password.isEmpty()) {
            password = Optional.ofNullable(parsed.getProperty("password")).or(() -> fallbackPassword);
        }
        String host = parsed.getProperty("PGHOST", "localhost");
        String portText = parsed.getProperty("PGPORT", Integer.toString(DEFAULT_PORT));
        int port;
        try {
            port = Integer.parseInt(portText.split(",")[0]);
        } catch (NumberFormatException e) {
            port = DEFAULT_PORT;
        }
        return new DatabaseUrl(jdbc, user, password, host, port, parsed.getProperty("PGDBNAME", ""));
    }

    /** {@code host:port}, for error messages. */
    public String hostAndPort() {
        return host + ":" + port;
    }

    /** The URL with any password replaced. */
    @Override
    public String toString() {
        return redact(jdbcUrl);
    }

    /** Hides passwords in either URL form. */
    public static String redact(String url) {
        return url.replaceAll("(?i)(password=)[^&;]*", "$1***").replaceAll("(://[^/:@]*:)[^@/]*@", "$1***@");
    }

    private static String decode(String text) {
        return URLDecoder.decode(text, StandardCharsets.UTF_8);
    }
}
