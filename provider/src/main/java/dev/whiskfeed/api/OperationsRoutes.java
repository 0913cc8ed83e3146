package dev.whiskfeed.api;

import dev.whiskfeed.ops.StoreProbe;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.micrometer.PrometheusScrapingHandler;
import java.util.List;

/** API.md "Operations": {@code GET /health} (503 when a store is down) and {@code GET /metrics} (Prometheus text). */
public final class OperationsRoutes {
  private final StoreProbe probe;
  private final PrometheusMeterRegistry meters;

  public OperationsRoutes(StoreProbe probe, PrometheusMeterRegistry meters) {
    this.probe = probe;
    this.meters = meters;
  }

  public void mount(Router router) {
    router.get("/health").handler(this::health);
    router.get("/metrics").handler(PrometheusScrapingHandler.create(meters));
  }

  private void health(RoutingContext ctx) {
    probe.health().onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
        return;
      }
      JsonObject body = health(ar.result());
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
