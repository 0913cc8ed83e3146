package dev.whiskfeed.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.whiskfeed.app.Provider;
import dev.whiskfeed.testing.DedicatedPostgres;
import dev.whiskfeed.testing.PgExtension;
import dev.whiskfeed.testing.Reply;
import dev.whiskfeed.testing.TestDatabase;
import dev.whiskfeed.testing.TestPostgres;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** API.md "Operations": /ping, /health (per store, 503 when one is down) and /metrics moving with real events. */
@ExtendWith(PgExtension.class)
@Timeout(120)
class OperationsIT extends WithStandInOpenWhisk {
  static final String KEY = "23bc46b1-71f6-4ed5-8c54-816aa4f8c502:operationsTestKey";
  TestDatabase db;
  Provider provider;
  Api api;

  @BeforeEach
  void database(TestPostgres pg) {
    openwhisk.reset();
    db = pg.newDatabase("operations");
  }

  @AfterEach
  void stop() throws Exception {
    if (provider != null) provider.close();
  }

  private void start(Map<String, String> env) {
    provider = TestProvider.start(db, openwhisk.url(), env);
    api = new Api(provider.port(), KEY);
  }

  private Api.Response get(String path) {
    return Ops.get(provider.port(), path, null);
  }

  private String metrics() {
    Api.Response r = get("/metrics");
    assertThat(r.status()).isEqualTo(200);
    return r.body();
  }

  private double metric(String name, String... labels) {
    return Ops.metric(metrics(), name, labels);
  }

  @Test
  void pingAndHealthWithOnlyTheControlDatabase() {
    start(Map.of());
    assertThat(get("/ping").json()).isEqualTo(new JsonObject().put("msg", "pong"));
    Api.Response health = get("/health");
    assertThat(health.status()).isEqualTo(200);
    assertThat(health.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
    assertThat(health.json().getString("status")).isEqualTo("UP");
    JsonArray checks = health.json().getJsonArray("checks");
    assertThat(checks).hasSize(1);
    assertThat(checks.getJsonObject(0).getString("id")).isEqualTo("control");
    assertThat(checks.getJsonObject(0).getString("status")).isEqualTo("UP");
    assertThat(checks.getJsonObject(0).getString("delivery")).isEqualTo("UP");
  }

  @Test
  void healthIs503WhileASourceIsDownAnd200WhenItIsBack() {
    try (DedicatedPostgres source = new DedicatedPostgres(); LogCapture logs = new LogCapture()) {
      start(Map.of("WHISKFEED_SOURCES", "orders=" + source.url()));
      await().atMost(Duration.ofSeconds(20)).until(() -> get("/health").status() == 200);
      JsonObject up = get("/health").json();
      assertThat(up.getJsonArray("checks").stream().map(c -> ((JsonObject) c).getString("id")))
          .containsExactly("control", "source:orders");

      source.stop();
      await().atMost(Duration.ofSeconds(20)).until(() -> get("/health").status() == 503);
      JsonObject down = get("/health").json();
      assertThat(down.getString("status")).isEqualTo("DOWN");
      JsonObject orders = check(down, "source:orders");
      assertThat(orders.getString("status")).isEqualTo("DOWN");
      assertThat(orders.getString("error")).isNotBlank().doesNotContain(source.database().password() + "@");
      assertThat(check(down, "control").getString("status")).isEqualTo("UP");

      source.start();
      await().atMost(Duration.ofSeconds(30)).until(() -> get("/health").status() == 200);
      assertThat(check(get("/health").json(), "source:orders").getString("status")).isEqualTo("UP");

      // the store's states are logged, though no feed delivers from it: connected, lost, connected again
      List<JsonObject> transitions = logs.text().lines().map(JsonObject::new)
          .filter(l -> "source:orders".equals(l.getString("store")) && l.getString("event", "").startsWith("store."))
          .toList();
      assertThat(transitions).extracting(l -> l.getString("event"))
          .containsExactly("store.connected", "store.lost", "store.connected");
      assertThat(transitions.get(1).getString("error")).isNotBlank().doesNotContain(source.database().password());
    }
  }

  @Test
  void anEventWhoseLeaseExpiredIsTakenOverAndLogged() {
    start(Map.of());
    api.create("guest", "t", new JsonObject().put("kind", "webhook"));
    long feedId = db.queryLong("SELECT id FROM whiskfeed.feeds WHERE trigger = 't'");
    try (LogCapture logs = new LogCapture()) {
      // claimed by an instance that died: its lease ran out a second ago
      Held.insertHeldBy(db, feedId, 1, "crashed-instance", "now() - interval '1 second'", "now() - interval '1 second'");
      await().atMost(Duration.ofSeconds(10)).until(() -> openwhisk.fires("guest", "t").size() == 1);
      String eventId = openwhisk.fires("guest", "t").get(0).json().getString("id");
      await().atMost(Duration.ofSeconds(5)).until(() -> logs.text().contains("\"lease.expired\""));
      JsonObject line = logs.text().lines().map(JsonObject::new)
          .filter(l -> "lease.expired".equals(l.getString("event"))).findFirst().orElseThrow();
      assertThat(line.getString("feed")).isEqualTo("/guest/t");
      assertThat(line.getString("eventId")).isEqualTo(eventId);
      assertThat(line.getString("previousHolder")).isEqualTo("crashed-instance");
    }
  }

  @Test
  void aSourceDownAtStartUpIsDownUntilItAnswers() {
    try (DedicatedPostgres source = new DedicatedPostgres()) {
      source.stop();
      start(Map.of("WHISKFEED_SOURCES", "orders=" + source.url()));
      Api.Response health = get("/health");
      assertThat(health.status()).isEqualTo(503);
      assertThat(check(health.json(), "source:orders").getString("status")).isEqualTo("DOWN");
      source.start();
      await().atMost(Duration.ofSeconds(40)).until(() -> get("/health").status() == 200);
    }
  }

  private static JsonObject check(JsonObject health, String id) {
    return health.getJsonArray("checks").stream().map(c -> (JsonObject) c).filter(c -> id.equals(c.getString("id")))
        .findFirst().orElseThrow();
  }

  @Test
  void metricsArePrometheusTextWithJvmVertxAndWhiskfeedMeters() {
    start(Map.of());
    Api.Response r = get("/metrics");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
    assertThat(r.body()).contains("jvm_memory_used_bytes", "vertx_http_server_", "# TYPE whiskfeed_feeds gauge");
    await().atMost(Duration.ofSeconds(15)).until(() -> metric("whiskfeed_store_up", "store", "control") == 1.0);
    assertThat(metric("whiskfeed_store_backlog", "store", "control")).isZero();
    // which build runs on which Java, as in --version
    assertThat(Ops.metric(r.body(), "whiskfeed_build_info", "version", dev.whiskfeed.app.Version.current(),
        "java", System.getProperty("java.version"))).isEqualTo(1.0);
  }

  @Test
  void metricsMoveWithRealEvents() {
    start(Map.of());
    api.create("guest", "t", new JsonObject().put("kind", "webhook")).json();
    api.create("guest", "gone", new JsonObject().put("kind", "webhook").put("maxRetries", 0));
    openwhisk.reply("guest", "t", Reply.status(500));
    openwhisk.reply("guest", "gone", Reply.status(503));
    for (int i = 0; i < 3; i++) assertThat(api.event("guest", "t", new JsonObject().put("n", i)).status()).isEqualTo(202);
    assertThat(api.event("guest", "gone", new JsonObject()).status()).isEqualTo(202);

    await().atMost(Duration.ofSeconds(20)).until(() -> metric("whiskfeed_events_delivered_total", "kind", "webhook") == 3);
    await().atMost(Duration.ofSeconds(10)).until(() -> metric("whiskfeed_events_dead_total", "kind", "webhook") == 1);
    String text = metrics();
    assertThat(Ops.metric(text, "whiskfeed_events_captured_total", "kind", "webhook")).isEqualTo(4);
    assertThat(Ops.metric(text, "whiskfeed_fire_retries_total", "kind", "webhook", "status_class", "5xx")).isEqualTo(2);
    assertThat(Ops.metric(text, "whiskfeed_commit_to_fire_seconds_count", "kind", "webhook")).isEqualTo(3);
    assertThat(Ops.metric(text, "whiskfeed_fire_latency_seconds_count", "kind", "webhook", "outcome", "delivered"))
        .isEqualTo(3);
    assertThat(Ops.metric(text, "whiskfeed_fire_latency_seconds_count", "kind", "webhook", "outcome", "retry"))
        .isEqualTo(2);
    assertThat(Ops.metric(text, "whiskfeed_fire_latency_seconds_bucket", "kind", "webhook", "outcome", "delivered",
        "le", "30.0")).isEqualTo(3);

    // backlog, oldest pending age and feeds by state follow a paused feed's waiting events
    api.pause("guest", "t");
    api.event("guest", "t", new JsonObject());
    api.event("guest", "t", new JsonObject());
    await().atMost(Duration.ofSeconds(15)).until(() -> metric("whiskfeed_store_backlog", "store", "control") == 2
        && metric("whiskfeed_feeds", "kind", "webhook", "state", "paused") == 1);
    assertThat(metric("whiskfeed_feeds", "kind", "webhook", "state", "active")).isEqualTo(1);
    assertThat(metric("whiskfeed_store_oldest_pending_age_seconds", "store", "control")).isGreaterThan(0);
    // a paused feed's events wait on purpose: no active feed has an event waiting
    assertThat(metric("whiskfeed_store_oldest_deliverable_age_seconds", "store", "control")).isZero();

    // leases: a slow controller keeps the fires in flight
    openwhisk.delayAll(Duration.ofSeconds(8));
    api.unpause("guest", "t");
    await().atMost(Duration.ofSeconds(15)).until(() -> metric("whiskfeed_leases_held", "store", "control") == 2
        && metric("whiskfeed_store_leases", "store", "control") == 2
        && metric("whiskfeed_store_oldest_deliverable_age_seconds", "store", "control") > 0);
    assertThat(metric("whiskfeed_fires_in_flight")).as("both fires wait for the controller").isEqualTo(2);
    assertThat(metric("whiskfeed_fires_limit")).isBetween(8.0, 256.0);
    openwhisk.delayAll(Duration.ZERO);
    await().atMost(Duration.ofSeconds(20)).until(() -> metric("whiskfeed_store_backlog", "store", "control") == 0
        && metric("whiskfeed_leases_held", "store", "control") == 0);
    assertThat(metric("whiskfeed_events_delivered_total", "kind", "webhook")).isEqualTo(5);
  }
}
