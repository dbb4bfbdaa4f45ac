package dev.tokenbilling.boot.web;

import dev.tokenbilling.error.Echo;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;

/**
 * What an error body may repeat of a request: a value from the request (a package slug, a path
 * variable, a header) at most {@value #MAX_ECHO_LENGTH} characters of it, a whole {@code detail} at
 * most {@value #MAX_DETAIL_LENGTH}, the {@code instance} path at most {@value #MAX_INSTANCE_LENGTH};
 * anything longer is cut and ends with "…". A 100 KB slug is answered with a short body.
 */
final class ProblemText {

    /** Most characters of one request value that an error body repeats: the core's rule. */
    static final int MAX_ECHO_LENGTH = Echo.MAX_LENGTH;
    /** Most characters of a problem's {@code detail}. */
    static final int MAX_DETAIL_LENGTH = 256;
    /** Most characters of a problem's {@code instance} (the request path). */
    static final int MAX_INSTANCE_LENGTH = 256;

    private static final String ELLIPSIS = "…";

    private ProblemText() {}

    /** A request value as an error body may quote it: its first {@value #MAX_ECHO_LENGTH} characters. */
    static String echo(Object value) {
        return cap(String.valueOf(value), MAX_ECHO_LENGTH);
    }

    /** {@code text} cut to {@code max} characters and "…", or unchanged when short enough. */
    static String cap(String text, int max) {
        return Echo.cap(text, max);
    }

    /** The request path as a problem's {@code instance}, cut like any echo; null if it is no valid URI. */
    static URI instance(HttpServletRequest request) {
        String path = request.getRequestURI();
        if (path == null) {
            return null;
        }
        if (path.length() > MAX_INSTANCE_LENGTH) {
            String cut = path.substring(0, MAX_INSTANCE_LENGTH);
            // Never end on half of a %XX escape.
            int percent = cut.lastIndexOf('%');
            if (percent >= 0 && percent >= cut.length() - 2) {
                cut = cut.substring(0, percent);
            }
            path = cut + ELLIPSIS;
        }
        try {
            return new URI(path);
        } catch (java.net.URISyntaxException e) {
            return null;
        }
    }
}
