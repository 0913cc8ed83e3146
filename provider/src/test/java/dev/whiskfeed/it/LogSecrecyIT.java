package dev.whiskfeed.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.whiskfeed.app.Provider;
import dev.whiskfeed.testing.PgExtension;
import dev.whiskfeed.testing.Reply;
import dev.whiskfeed.testing.StandInOpenWhisk;
import dev.whiskfeed.testing.TestDatabase;
import dev.whiskfeed.testing.TestPostgres;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A full lifecycle with retries, a dead letter, an automatic and an admin disable, rendered by the production JSON
 * encoder: every fixed-vocabulary line carries its ids as fields, and no authKey (nor either half), hook secret,
 * database password, master key or admin token appears anywhere.
 */
@ExtendWith(PgExtension.class)
@Timeout(120)
class LogSecrecyIT {
  static final String UUID_HALF = "5f0c61b9-2a0e-4b8e-9c58-1f4c3a2d7e90";
  static final String KEY_HALF = "Zq8vKeyHalfThatMustNeverBeLogged7wR2";
  static final String KEY = UUID_HALF + ":" + KEY_HALF;
  static final String HOOK_SECRET = "hook-secret-never-logged-4Xk9";
  static final String DB_PASSWORD = "dbPasswordNeverLogged-93Jd";
  static final Set<String> FEED_EVENTS = Set.of("feed.created", "feed.updated", "feed.deleted", "feed.paused",
      "feed.unpaused", "feed.disabled", "feed.enabled", "trigger.fired", "trigger.retry", "event.dead",
      "lease.expired");
  static final Set<String> EVENT_EVENTS = Set.of("trigger.fired", "trigger.retry", "event.dead", "lease.expired");

  @Test
  void aFullLifecycleLogsIdsAsFieldsAndNoSecret(TestPostgres pg) throws Exception {
    TestDatabase db = pg.newDatabase("logs");
    // a changes feed on a database of its own, reached with a password that must never be logged
    TestDatabase source = pg.newDatabase("logsource");
    source.createRole("logapp", DB_PASSWORD);
    source.execute("ALTER ROLE logapp SUPERUSER");
    source.execute("CREATE TABLE public.orders (id int PRIMARY KEY)");
    String sourceUrl = source.as("logapp", DB_PASSWORD).url();
    Vertx vertx = Vertx.vertx();
    StandInOpenWhisk openwhisk = StandInOpenWhisk.start(vertx);
    String logs;
    try (LogCapture capture = new LogCapture()) {
      try (Provider provider = TestProvider.start(db, openwhisk.url(),
          Map.of("WHISKFEED_ADMIN_TOKEN", TestProvider.ADMIN_TOKEN))) {
        lifecycle(provider.port(), openwhisk, sourceUrl);
      }
      logs = capture.text();
    } finally {
      openwhisk.close();
      vertx.close();
    }

    List<JsonObject> lines = logs.lines().map(JsonObject::new).toList();
    assertThat(lines).isNotEmpty();
    for (String event : List.of("feed.created", "feed.updated", "feed.paused", "feed.unpaused", "feed.disabled",
        "feed.enabled", "feed.deleted", "trigger.retry", "trigger.fired", "event.dead", "events.redelivered")) {
      assertThat(lines).as(event).anySatisfy(l -> assertThat(l.getString("event")).isEqualTo(event));
    }
    for (JsonObject line : lines) {
      String event = line.getString("event", "");
      if (FEED_EVENTS.contains(event)) assertThat(line.getString("feed")).as(line.encode()).startsWith("/");
      if (EVENT_EVENTS.contains(event)) assertThat(line.getString("eventId")).as(line.encode()).isNotBlank();
    }
    assertThat(lines).anySatisfy(l -> {
      assertThat(l.getString("event")).isEqualTo("trigger.retry");
      assertThat(l.getInteger("attempt")).isEqualTo(1);
      assertThat(l.getInteger("statusCode")).isEqualTo(500);
    });
    assertThat(lines).anySatisfy(l -> {
      assertThat(l.getString("event")).isEqualTo("trigger.fired");
      assertThat(l.getString("activationId")).isNotBlank();
    });

    String basic = Base64.getEncoder().encodeToString(KEY.getBytes(StandardCharsets.UTF_8));
    String rawMasterKey = new String(Base64.getDecoder().decode(TestProvider.MASTER_KEY), StandardCharsets.US_ASCII);
    for (String secret : List.of(KEY, UUID_HALF, KEY_HALF, basic, HOOK_SECRET, DB_PASSWORD, TestProvider.MASTER_KEY,
        rawMasterKey, TestProvider.ADMIN_TOKEN)) {
      assertThat(logs).as("logs must not contain " + secret).doesNotContain(secret);
    }
  }

  private static void lifecycle(int port, StandInOpenWhisk openwhisk, String sourceUrl) {
    Api api = new Api(port, KEY);
    String token = TestProvider.ADMIN_TOKEN;
    ok(api.create("guest", "hook", new JsonObject().put("kind", "webhook").put("secret", HOOK_SECRET)));
    ok(api.create("guest", "orders", new JsonObject().put("kind", "changes").put("table", "public.orders")
        .put("database", sourceUrl)));
    ok(api.create("guest", "flaky", new JsonObject().put("kind", "webhook").put("maxRetries", 0)));

    // 500 then 202: a retry, then the fire
    openwhisk.reply("guest", "hook", Reply.status(500), Reply.accepted());
    api.event("guest", "hook", new JsonObject().put("n", 1));
    // retries exhausted: a dead letter, then an admin's redelivery
    openwhisk.reply("guest", "flaky", Reply.status(503));
    api.event("guest", "flaky", new JsonObject());
    await().atMost(Duration.ofSeconds(15)).until(() -> openwhisk.fires("guest", "hook").size() == 2
        && api.read("guest", "flaky").json().getJsonObject("stats").getLong("dead") == 1);
    ok(Ops.post(port, "/api/v1/admin/events/redeliver", token, new JsonObject().put("feed", "/guest/flaky")));
    await().atMost(Duration.ofSeconds(10)).until(() ->
        api.read("guest", "flaky").json().getJsonObject("stats").getLong("delivered") == 1);

    ok(api.update("guest", "hook", new JsonObject().put("secret", HOOK_SECRET + "2")));
    ok(api.pause("guest", "hook"));
    ok(api.unpause("guest", "hook"));
    ok(Ops.post(port, "/api/v1/admin/feeds/guest/orders/disable", token, new JsonObject().put("message", "audit")));
    ok(Ops.post(port, "/api/v1/admin/feeds/guest/orders/enable", token, null));
    // the trigger is gone: the feed is disabled automatically
    openwhisk.reply("guest", "hook", Reply.status(404));
    api.event("guest", "hook", new JsonObject());
    await().atMost(Duration.ofSeconds(10)).until(() ->
        "disabled".equals(api.read("guest", "hook").json().getJsonObject("status").getString("state")));
    ok(api.update("guest", "hook", new JsonObject().put("maxRetries", 2)));
    for (String trigger : List.of("hook", "orders", "flaky")) ok(api.delete("guest", trigger));
    // failed authentication is logged without the presented key
    api.as("00000000-0000-0000-0000-000000000000:" + KEY_HALF).read("guest", "gone");
  }

  private static void ok(Api.Response r) {
    assertThat(r.status()).as(r.body()).isEqualTo(200);
  }
}
