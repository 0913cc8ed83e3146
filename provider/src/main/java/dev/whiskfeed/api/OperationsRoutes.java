package dev.whiskfeed.api;

import dev.whiskfeed.ops.StoreProbe;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.micrometer.PrometheusScrapingHandler;
import io.vertx.core.Future;
import java.util.List;
import java.util.function.Supplier;

/** API.md "Operations": {@code GET /health} (503 when a store is down) and {@code GET /metrics} (Prometheus text). */
public final class OperationsRoutes {
  private final StoreProbe probe;
  private final PrometheusMeterRegistry meters;
  private final Supplier<Future<List<JsonObject>>> slots;

  /** {@code slots}: each WAL replication slot this instance reads or stands by for (capture's own detail). */
  public OperationsRoutes(StoreProbe probe, PrometheusMeterRegistry meters, Supplier<Future<List<JsonObject>>> slots) {
    this.probe = probe;
    this.meters = meters;
    this.slots = slots;
  }

  public void mount(Router router) {
    router.get("/health").handler(this::health);
    router.get("/metrics").handler(PrometheusScrapingHandler.create(meters));
  }

  private void health(RoutingContext ctx) {
    Future<List<JsonObject>> capture = slots.get().otherwiseEmpty();
    Future<List<StoreProbe.StoreCheck>> checks = probe.health();
    Future.all(checks, capture).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
        return;
      }
      JsonObject body = health(checks.result());
      List<JsonObject> walSlots = capture.result();
      if (walSlots != null && !walSlots.isEmpty()) body.put("capture", new JsonArray(new java.util.ArrayList<>(walSlots)));
      HttpApi.json(ctx, "UP".equals(body.getString("status")) ? 200 : 503, body);
    });
  }

  /** {@code {"status": "UP"|"DOWN", "checks": [{"id", "status", "latencyMs", "error"?, "delivery"?}]}}. */
  static JsonObject health(List<StoreProbe.StoreCheck> checks) {
    JsonArray list = new JsonArray();
    boolean allUp = true;
    for (StoreProbe.StoreCheck c : checks) {
      allUp &= c.up();
      JsonObject check = new JsonObject().put("id", c.store()).put("status", c.up() ? "UP" : "DOWN")
          .put("latencyMs", c.latencyMs());
      if (c.error() != null) check.put("error", c.error());
      // the claim loop's own view: it turns DOWN on a failed claim or ack and UP on the next success
      if (c.claiming() != null) check.put("delivery", c.claiming() ? "UP" : "DOWN");
      list.add(check);
    }
    return new JsonObject().put("status", allUp ? "UP" : "DOWN").put("checks", list);
  }
}
