package dev.whiskfeed.bench;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * A receiver that answers fires like OpenWhisk (202 with an activation id) as fast as it can, or
 * after a fixed delay, and counts the events it got (the ids in X-Whiskfeed-Event-Id).
 */
public final class Receiver implements AutoCloseable {
  private final Vertx vertx;
  private final HttpServer server;
  final AtomicLong fires = new AtomicLong();
  final AtomicLong events = new AtomicLong();
  final ConcurrentHashMap<String, Boolean> seen = new ConcurrentHashMap<>();
  final AtomicLong duplicates = new AtomicLong();
  volatile long delayMs;
  volatile boolean down;
  /** Fires answered 503 while down. */
  final AtomicLong refused = new AtomicLong();
  volatile LongConsumer onEvent = t -> {};
  /** Called with every envelope received (parsed), and the receive time in System.nanoTime. */
  volatile java.util.function.BiConsumer<io.vertx.core.json.JsonObject, Long> onEnvelope = null;

  private Receiver(Vertx vertx, HttpServer server) {
    this.vertx = vertx;
    this.server = server;
  }

  public static Receiver start(Vertx vertx) throws Exception {
    Receiver[] holder = new Receiver[1];
    HttpServer server = vertx.createHttpServer().requestHandler(req -> holder[0].handle(req));
    server = server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    holder[0] = new Receiver(vertx, server);
    return holder[0];
  }

  public String url() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  /** CPU time of the threads that served fires so far (ns): the stand-in's share of the JVM's CPU. */
  long cpuNanos() {
    java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
    long sum = 0;
    for (long id : threads) sum += Math.max(0, mx.getThreadCpuTime(id));
    return sum;
  }

  private final java.util.Set<Long> threads = ConcurrentHashMap.newKeySet();

  private void handle(io.vertx.core.http.HttpServerRequest req) {
    threads.add(Thread.currentThread().getId());
    req.body().onSuccess(body -> {
      long now = System.currentTimeMillis();
      if (down) {
        refused.incrementAndGet();
        req.response().setStatusCode(503).end();
        return;
      }
      if (req.method().name().equals("POST")) {
        fires.incrementAndGet();
        var envelopes = onEnvelope;
        if (envelopes != null) {
          long nanos = System.nanoTime();
          io.vertx.core.json.JsonObject json = body.toJsonObject();
          io.vertx.core.json.JsonArray batch = json.getJsonArray("events");
          if (batch == null) envelopes.accept(json, nanos);
          else batch.forEach(e -> envelopes.accept((io.vertx.core.json.JsonObject) e, nanos));
        }
        String ids = req.getHeader("X-Whiskfeed-Event-Id");
        if (ids != null) {
          for (String id : ids.split(",")) {
            events.incrementAndGet();
            if (seen.putIfAbsent(id, Boolean.TRUE) != null) duplicates.incrementAndGet();
            onEvent.accept(now);
          }
        }
      }
      Runnable answer = () -> req.response().setStatusCode(202).putHeader("Content-Type", "application/json")
          .end("{\"activationId\":\"0123456789abcdef0123456789abcdef\"}");
      if (delayMs > 0) vertx.setTimer(delayMs, id -> answer.run());
      else answer.run();
    });
  }

  @Override
  public void close() throws Exception {
    server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
