package dev.whiskfeed.actions;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/** A stand-in provider on 127.0.0.1: records every request and answers as scripted. */
final class ProviderStub implements AutoCloseable {

  static final class Recorded {
    private final String method;
    private final String rawPath;
    private final Headers headers;
    private final String body;

    Recorded(String method, String rawPath, Headers headers, String body) {
      this.method = method;
      this.rawPath = rawPath;
      this.headers = headers;
      this.body = body;
    }

    String method() {
      return method;
    }

    String rawPath() {
      return rawPath;
    }

    String body() {
      return body;
    }

    String header(String name) {
      return headers.getFirst(name);
    }
  }

  static final class Answer {
    private final int status;
    private final String body;

    Answer(int status, String body) {
      this.status = status;
      this.body = body;
    }

    int status() {
      return status;
    }

    String body() {
      return body;
    }
  }

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
    return Collections.unmodifiableList(new ArrayList<>(requests));
  }

  Recorded onlyRequest() {
    List<Recorded> all = requests();
    if (all.size() != 1) {
      throw new AssertionError("expected exactly one request, got " + all.size());
    }
    return all.get(0);
  }

  private void handle(HttpExchange exchange) throws IOException {
    try {
      String body;
      try (InputStream in = exchange.getRequestBody()) {
        body = new String(readAll(in), StandardCharsets.UTF_8);
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
    } finally {
      exchange.close();
    }
  }

  private static byte[] readAll(InputStream in) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    for (int n; (n = in.read(buffer)) != -1; ) {
      bytes.write(buffer, 0, n);
    }
    return bytes.toByteArray();
  }

  @Override
  public void close() {
    closed.countDown();
    server.stop(0);
    executor.shutdownNow();
  }
}
