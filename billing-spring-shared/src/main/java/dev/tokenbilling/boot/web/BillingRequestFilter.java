package dev.tokenbilling.boot.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.springframework.core.Ordered;
import org.springframework.http.HttpStatus;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Turns away, before Spring MVC reads them, the requests to the billing REST API and the webhook
 * endpoint that MVC would otherwise answer with a {@code 500}: a {@code multipart/*} body (MVC
 * tries to parse it before any controller runs), a {@code Content-Type} that is a wildcard or no
 * media type at all ({@code 415}), and an API request whose declared {@code Content-Length} is over
 * {@code billing.web.max-request-size} ({@code 413}; the webhook endpoint has its own limit). The
 * answer is an {@code application/problem+json} body with a {@code code}, like every other error of
 * the API. Requests to other paths pass untouched.
 */
public class BillingRequestFilter extends OncePerRequestFilter implements Ordered {

    /** After Spring Security's filter chain (-100), so that unauthenticated requests still get its answer first. */
    public static final int ORDER = 0;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> API_ROOTS = Set.of("/packages", "/config", "/tokens");

    private final String basePath;
    private final String webhookPath;
    private final long maxRequestBytes;

    /**
     * @param basePath        the REST API's {@code billing.web.base-path}, or null when the API is off
     * @param webhookPath     the webhook endpoint's {@code billing.webhook.path}, or null when it is off
     * @param maxRequestBytes the largest {@code Content-Length} an API request may declare
     */
    public BillingRequestFilter(String basePath, String webhookPath, long maxRequestBytes) {
        if (maxRequestBytes < 1) {
            throw new IllegalArgumentException("maxRequestBytes must be positive, was " + maxRequestBytes);
        }
        this.basePath = basePath;
        this.webhookPath = webhookPath == null ? null : trimSlash(webhookPath);
        this.maxRequestBytes = maxRequestBytes;
    }

    @Override
    public int getOrder() {
        return ORDER;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !isWebhook(request) && !isApi(request);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        boolean webhook = isWebhook(request);
        String contentType = request.getContentType();
        if (contentType != null && !contentType.isBlank()) {
            String problem = mediaTypeProblem(contentType);
            if (problem != null) {
                reject(
                        request,
                        response,
                        HttpStatus.UNSUPPORTED_MEDIA_TYPE,
                        webhook,
                        "unsupported_media_type",
                        problem);
                return;
            }
        }
        if (!webhook && request.getContentLengthLong() > maxRequestBytes) {
            reject(
                    request,
                    response,
                    // 413: CONTENT_TOO_LARGE on Spring Framework 7, PAYLOAD_TOO_LARGE on 6.2 (Boot 3.5).
                    HttpStatus.valueOf(413),
                    false,
                    "request_too_large",
                    "The request body is larger than " + maxRequestBytes + " bytes");
            return;
        }
        chain.doFilter(request, response);
    }

    private static String mediaTypeProblem(String contentType) {
        MediaType type;
        try {
            type = MediaType.parseMediaType(contentType);
        } catch (InvalidMediaTypeException e) {
            return "Content-Type '" + ProblemText.echo(contentType) + "' is not a media type; send application/json";
        }
        if (type.isWildcardType() || type.isWildcardSubtype()) {
            return "Content-Type '" + ProblemText.echo(contentType) + "' is a wildcard; send application/json";
        }
        if ("multipart".equalsIgnoreCase(type.getType())) {
            return "Content-Type '" + ProblemText.echo(type.getType() + "/" + type.getSubtype())
                    + "' is not supported; send application/json";
        }
        return null;
    }

    private void reject(
            HttpServletRequest request,
            HttpServletResponse response,
            HttpStatus status,
            boolean webhook,
            String code,
            String detail)
            throws IOException {
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", "about:blank");
        problem.put("title", webhook ? "Webhook rejected" : "Billing request failed");
        problem.put("status", status.value());
        problem.put("detail", ProblemText.cap(detail, ProblemText.MAX_DETAIL_LENGTH));
        URI instance = ProblemText.instance(request);
        if (instance != null) {
            problem.put("instance", instance.toString());
        }
        problem.put("code", code);
        byte[] body = JSON.writeValueAsBytes(problem);
        response.setStatus(status.value());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.setContentLength(body.length);
        // The body is left unread: the connection is not reused for another request.
        response.setHeader("Connection", "close");
        response.getOutputStream().write(body);
    }

    private boolean isApi(HttpServletRequest request) {
        if (basePath == null) {
            return false;
        }
        String path = path(request);
        if (!path.startsWith(basePath)) {
            return false;
        }
        // Only the API's own paths, also when the base path is empty.
        String rest = trimSlash(path.substring(basePath.length()));
        return rest.startsWith("/tokens/") || API_ROOTS.contains(rest);
    }

    private boolean isWebhook(HttpServletRequest request) {
        return webhookPath != null && trimSlash(path(request)).equals(webhookPath);
    }

    private static String path(HttpServletRequest request) {
        String uri = request.getRequestURI();
        String context = request.getContextPath();
        return context != null && !context.isEmpty() && uri.startsWith(context) ? uri.substring(context.length()) : uri;
    }

    private static String trimSlash(String path) {
        return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }
}
