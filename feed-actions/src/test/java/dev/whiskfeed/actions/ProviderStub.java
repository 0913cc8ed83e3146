package dev.whiskfeed.actions;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/** A stand-in provider on 127.0.0.1: records every request and answers as scripted. */
final class ProviderStub implements AutoCloseable {

  record Recorded(String method, String rawPath, Headers headers, String body) {
    String header(String name) {
      return headers.getFirst(name);
    }
  }

  record Answer(int status, String body) {}

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final List<Recorded> requests = new CopyOnWriteArrayList<>();
  private final CountDownLatch closed = new CountDownLatch(1);
  private volatile Function<Recorded, Answer> responder =
      request -> new Answer(200, "{\"status\":\"success\"}");
  private volatile boolean hang;

  ProviderStub() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.setExecutor(executor);
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  ProviderStub answer(int status, String body) {
    return answer(request -> new Answer(status, body));
  }

  ProviderStub answer(Function<Recorded, Answer> responder) {
    this.responder = responder;
    return this;
  }

  /** Records requests but answers none until closed. */
  ProviderStub hang() {
    this.hang = true;
    return this;
  }

  List<Recorded> requests() {
    return List.copyOf(requests);
  }

  Recorded onlyRequest() {
    List<Recorded> all = requests();
    if (all.size() != 1) {
      throw new AssertionError("expected exactly one request, got " + all.size());
    }
    return all.get(0);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String body;
      try (InputStream in = exchange.getRequestBody()) {
        body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      Recorded request = new Recorded(exchange.getRequestMethod(),
          exchange.getRequestURI().getRawPath(), exchange.getRequestHeaders(), body);
      requests.add(request);
      if (hang) {
        closed.await();
        return;
      }
      Answer answer = responder.apply(request);
      byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(answer.status(), bytes.length == 0 ? -1 : bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    closed.countDown();
    server.stop(0);
    executor.shutdownNow();
  }
}
