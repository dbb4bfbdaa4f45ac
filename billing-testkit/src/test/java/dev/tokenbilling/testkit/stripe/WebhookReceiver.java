package dev.tokenbilling.testkit.stripe;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A local HTTP endpoint standing in for an application's webhook route. */
final class WebhookReceiver implements AutoCloseable {
    record Received(String payload, String signature) {}

    private final HttpServer server;
    private final LinkedBlockingQueue<Received> queue = new LinkedBlockingQueue<>();
    private final List<Received> all = new ArrayList<>();
    private final AtomicInteger status = new AtomicInteger(200);

    WebhookReceiver() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/webhooks", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Received r = new Received(body, exchange.getRequestHeaders().getFirst("Stripe-Signature"));
            synchronized (all) {
                all.add(r);
            }
            queue.add(r);
            exchange.sendResponseHeaders(status.get(), -1);
            exchange.close();
        });
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/webhooks";
    }

    void answer(int httpStatus) {
        status.set(httpStatus);
    }

    Received next(Duration timeout) throws InterruptedException {
        return queue.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    List<Received> all() {
        synchronized (all) {
            return List.copyOf(all);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
