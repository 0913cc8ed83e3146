package dev.whiskfeed.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.whiskfeed.app.Provider;
import dev.whiskfeed.testing.PgExtension;
import dev.whiskfeed.testing.Reply;
import dev.whiskfeed.testing.TestDatabase;
import dev.whiskfeed.testing.TestPostgres;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** API.md's admin table: Bearer token, feeds across namespaces, ADMIN disable/enable, events, redelivery, stores. */
@ExtendWith(PgExtension.class)
@Timeout(120)
class AdminIT extends WithStandInOpenWhisk {
  static final String KEY = "23bc46b1-71f6-4ed5-8c54-816aa4f8c502:adminTestKey";
  static final String TOKEN = TestProvider.ADMIN_TOKEN;
  static final String[] ADMIN_PATHS = {"GET /api/v1/admin/feeds", "GET /api/v1/admin/feeds/guest/t",
      "GET /api/v1/admin/feeds/guest/t/activity", "POST /api/v1/admin/feeds/guest/t/disable",
      "POST /api/v1/admin/feeds/guest/t/enable",
      "GET /api/v1/admin/events", "GET /api/v1/admin/events/0b7d3c52-6a4e-4f7e-9c43-7f1a3c2e9d10",
      "POST /api/v1/admin/events/redeliver", "GET /api/v1/admin/stores"};
  TestDatabase db;
  Provider provider;
  Api api;

  @BeforeEach
  void database(TestPostgres pg) {
    openwhisk.reset();
    db = pg.newDatabase("admin");
  }

  @AfterEach
  void stop() throws Exception {
    if (provider != null) provider.close();
  }

  private void start(Map<String, String> env) {
    provider = TestProvider.start(db, openwhisk.url(), env);
    api = new Api(provider.port(), KEY);
  }

  private void startWithToken() {
    start(Map.of("WHISKFEED_ADMIN_TOKEN", TOKEN));
  }

  private Api.Response admin(String method, String path, JsonObject body) {
    return Ops.send(provider.port(), method, path, TOKEN, body);
  }

  private Api.Response admin(String path) {
    return admin("GET", path, null);
  }

  private void feed(String ns, String trigger, JsonObject params) {
    Api.Response r = api.create(ns, trigger, new JsonObject().put("kind", "webhook").mergeIn(params));
    assertThat(r.status()).as(r.body()).isEqualTo(200);
  }

  @Test
  void withoutATokenEveryAdminPathIs404() {
    start(Map.of());
    feed("guest", "t", new JsonObject());
    for (String call : ADMIN_PATHS) {
      String[] mp = call.split(" ");
      for (String bearer : new String[] {null, TOKEN}) {
        Api.Response r = Ops.send(provider.port(), mp[0], mp[1], bearer, mp[0].equals("POST") ? new JsonObject() : null);
        assertThat(r.status()).as(call).isEqualTo(404);
        assertThat(r.code()).isEqualTo("not_found");
      }
    }
  }

  @Test
  void aMissingOrWrongTokenIs401OnEveryAdminPath() {
    startWithToken();
    feed("guest", "t", new JsonObject());
    for (String call : ADMIN_PATHS) {
      String[] mp = call.split(" ");
      for (String bearer : new String[] {null, "wrong-token-0123456789", TOKEN + "x", TOKEN.substring(1)}) {
        Api.Response r = Ops.send(provider.port(), mp[0], mp[1], bearer, mp[0].equals("POST") ? new JsonObject() : null);
        assertThat(r.status()).as(call + " with " + bearer).isEqualTo(401);
        assertThat(r.code()).isEqualTo("unauthorized");
        assertThat(r.headers().firstValue("www-authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
      }
    }
    // the owner's Basic credentials do not open the admin API either
    assertThat(api.send("GET", "/api/v1/admin/feeds", null).status()).isEqualTo(401);
    assertThat(admin("/api/v1/admin/feeds").status()).isEqualTo(200);
  }

  @Test
  void feedsAreListedAcrossNamespacesWithFiltersAndPaging() {
    startWithToken();
    for (int i = 0; i < 5; i++) feed("guest", "g" + i, new JsonObject());
    for (int i = 0; i < 3; i++) feed("other", "o" + i, new JsonObject());
    api.pause("guest", "g1");

    List<String> all = new ArrayList<>();
    String after = null;
    int pages = 0;
    do {
      Api.Response r = admin("/api/v1/admin/feeds?limit=3" + (after == null ? "" : "&after=" + after));
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      JsonArray page = r.json().getJsonArray("feeds");
      assertThat(page.size()).isLessThanOrEqualTo(3);
      page.forEach(f -> all.add(((JsonObject) f).getString("trigger")));
      after = r.json().getString("next");
      pages++;
    } while (after != null);
    assertThat(all).containsExactly("/guest/g0", "/guest/g1", "/guest/g2", "/guest/g3", "/guest/g4", "/other/o0",
        "/other/o1", "/other/o2");
    assertThat(pages).isEqualTo(3);

    JsonArray other = admin("/api/v1/admin/feeds?namespace=other").json().getJsonArray("feeds");
    assertThat(other).hasSize(3);
    JsonArray paused = admin("/api/v1/admin/feeds?state=paused&kind=webhook").json().getJsonArray("feeds");
    assertThat(paused).hasSize(1);
    assertThat(paused.getJsonObject(0).getString("trigger")).isEqualTo("/guest/g1");
    assertThat(admin("/api/v1/admin/feeds?kind=alarm").json().getJsonArray("feeds")).isEmpty();
    assertThat(admin("/api/v1/admin/feeds?state=sleeping").status()).isEqualTo(400);
    assertThat(admin("/api/v1/admin/feeds?kind=cron").status()).isEqualTo(400);
    assertThat(admin("/api/v1/admin/feeds?limit=0").status()).isEqualTo(400);
    assertThat(admin("/api/v1/admin/feeds?after=x").status()).isEqualTo(400);

    // the owner's READ body, less the hook URL: its last segment is the hook token, a credential
    JsonObject one = admin("/api/v1/admin/feeds/other/o2").json();
    JsonObject owners = new Api(provider.port(), KEY).read("other", "o2").json();
    assertThat(owners.getJsonObject("config").getString("hookUrl")).contains("/hooks/");
    owners.getJsonObject("config").remove("hookUrl");
    assertThat(one).isEqualTo(owners);
    assertThat(admin("/api/v1/admin/feeds").body()).doesNotContain("hookUrl").doesNotContain("/hooks/");
    assertThat(one.getJsonObject("stats").getLong("pending")).isZero();
    assertThat(admin("/api/v1/admin/feeds/other/nope").status()).isEqualTo(404);
  }

  @Test
  void anAdminDisableBlocksTheOwnersUpdateAndUnpauseUntilAnAdminEnables() {
    startWithToken();
    feed("guest", "t", new JsonObject());
    Api.Response disabled = admin("POST", "/api/v1/admin/feeds/guest/t/disable",
        new JsonObject().put("message", "abusive traffic, ticket 42"));
    assertThat(disabled.status()).as(disabled.body()).isEqualTo(200);
    JsonObject status = disabled.json().getJsonObject("feed").getJsonObject("status");
    assertThat(status.getString("state")).isEqualTo("disabled");
    assertThat(status.getJsonObject("reason")).isEqualTo(new JsonObject().put("kind", "ADMIN")
        .put("message", "abusive traffic, ticket 42"));

    // no delivery while disabled by an admin
    api.event("guest", "t", new JsonObject());
    Api.Response update = api.update("guest", "t", new JsonObject().put("maxRetries", 3));
    assertThat(update.status()).isEqualTo(400);
    assertThat(update.code()).isEqualTo("disabled_by_admin");
    assertThat(update.error()).isEqualTo("feed /guest/t was disabled by an admin and cannot be changed: "
        + "abusive traffic, ticket 42");
    assertThat(api.unpause("guest", "t").status()).isEqualTo(400);
    await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(2)).until(() -> openwhisk.fireCount() == 0);
    assertThat(api.read("guest", "t").json().getJsonObject("status").getString("state")).isEqualTo("disabled");

    Api.Response enabled = admin("POST", "/api/v1/admin/feeds/guest/t/enable", null);
    assertThat(enabled.status()).isEqualTo(200);
    assertThat(enabled.json().getJsonObject("feed").getJsonObject("status").getString("state")).isEqualTo("active");
    await().atMost(Duration.ofSeconds(10)).until(() -> openwhisk.fires("guest", "t").size() == 1);
    assertThat(api.update("guest", "t", new JsonObject().put("maxRetries", 3)).status()).isEqualTo(200);

    // disable without a message, and bad bodies
    Api.Response plain = admin("POST", "/api/v1/admin/feeds/guest/t/disable", null);
    assertThat(plain.json().getJsonObject("feed").getJsonObject("status").getJsonObject("reason").getString("message"))
        .isEqualTo("Disabled by an admin");
    assertThat(admin("POST", "/api/v1/admin/feeds/guest/t/disable", new JsonObject().put("message", 7)).status())
        .isEqualTo(400);
    assertThat(admin("POST", "/api/v1/admin/feeds/guest/nope/disable", null).status()).isEqualTo(404);
  }

  @Test
  void eventsAcrossFeedsAndBulkRedeliveryByFeedAndTimeRange() {
    startWithToken();
    feed("guest", "a", new JsonObject().put("maxRetries", 0));
    feed("other", "b", new JsonObject().put("maxRetries", 0));
    openwhisk.defaultReply("guest", "a", Reply.status(500));
    openwhisk.defaultReply("other", "b", Reply.status(500));
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 4; i++) ids.add(api.event("guest", "a", new JsonObject().put("n", i)).json().getString("eventId"));
    for (int i = 0; i < 3; i++) api.event("other", "b", new JsonObject().put("n", i));
    await().atMost(Duration.ofSeconds(15)).until(() -> db.queryLong(
        "SELECT count(*) FROM whiskfeed.event_status WHERE state = 'dead'") == 7);

    // all dead events, newest first, in pages
    List<JsonObject> listed = new ArrayList<>();
    String after = null;
    do {
      Api.Response r = admin("/api/v1/admin/events?state=dead&limit=3" + (after == null ? "" : "&after=" + after));
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      r.json().getJsonArray("events").forEach(e -> listed.add((JsonObject) e));
      after = r.json().getString("next");
    } while (after != null);
    assertThat(listed).hasSize(7);
    assertThat(listed).allSatisfy(e -> {
      assertThat(e.getString("state")).isEqualTo("dead");
      assertThat(e.getString("store")).isEqualTo("control");
      assertThat(e.getInteger("lastStatusCode")).isEqualTo(500);
    });
    assertThat(listed.stream().map(e -> e.getLong("seq")).toList()).isSortedAccordingTo((x, y) -> Long.compare(y, x));
    assertThat(listed.stream().filter(e -> "/guest/a".equals(e.getString("feed")))).hasSize(4);
    JsonArray onlyB = admin("/api/v1/admin/events?state=dead&feed=/other/b").json().getJsonArray("events");
    assertThat(onlyB).hasSize(3).allSatisfy(e -> assertThat(((JsonObject) e).getString("feed")).isEqualTo("/other/b"));
    assertThat(admin("/api/v1/admin/events?state=pending").json().getJsonArray("events")).isEmpty();
    assertThat(admin("/api/v1/admin/events?state=gone").status()).isEqualTo(400);
    assertThat(admin("/api/v1/admin/events?feed=nope").status()).isEqualTo(400);
    assertThat(admin("/api/v1/admin/events?after=%21%21").status()).isEqualTo(400);

    // redeliver a's dead events created in a range that holds the last two only
    db.execute("UPDATE whiskfeed.events SET created_at = now() - interval '2 hours' WHERE id IN (?::uuid, ?::uuid)",
        ids.get(0), ids.get(1));
    openwhisk.defaultReply("guest", "a", Reply.status(202));
    Instant from = Instant.now().minus(Duration.ofHours(1));
    Api.Response r = admin("POST", "/api/v1/admin/events/redeliver", new JsonObject().put("feed", "/guest/a")
        .put("from", from.toString()).put("to", Instant.now().plusSeconds(60).toEpochMilli()).put("state", "dead"));
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.json()).isEqualTo(new JsonObject().put("redelivered", 2));
    await().atMost(Duration.ofSeconds(10)).until(() -> api.read("guest", "a").json().getJsonObject("stats")
        .getLong("delivered") == 2);
    JsonObject stats = api.read("guest", "a").json().getJsonObject("stats");
    assertThat(stats.getLong("dead")).isEqualTo(2);
    assertThat(api.read("other", "b").json().getJsonObject("stats").getLong("dead")).isEqualTo(3);
    List<String> stillDead = admin("/api/v1/admin/events?state=dead&feed=/guest/a").json().getJsonArray("events")
        .stream().map(e -> ((JsonObject) e).getString("id")).toList();
    assertThat(stillDead).containsExactlyInAnyOrder(ids.get(0), ids.get(1));

    // the rest, without a range (state defaults to dead)
    assertThat(admin("POST", "/api/v1/admin/events/redeliver", new JsonObject().put("feed", "/guest/a")).json()
        .getInteger("redelivered")).isEqualTo(2);
    await().atMost(Duration.ofSeconds(10)).until(() -> api.read("guest", "a").json().getJsonObject("stats")
        .getLong("delivered") == 4);
    assertThat(admin("POST", "/api/v1/admin/events/redeliver", new JsonObject()).status()).isEqualTo(400);
    assertThat(admin("POST", "/api/v1/admin/events/redeliver", new JsonObject().put("feed", "/guest/a")
        .put("state", "pending")).status()).isEqualTo(400);
    assertThat(admin("POST", "/api/v1/admin/events/redeliver", new JsonObject().put("feed", "/guest/a")
        .put("from", "yesterday")).status()).isEqualTo(400);
    assertThat(admin("POST", "/api/v1/admin/events/redeliver", new JsonObject().put("feed", "/guest/zzz")).status())
        .isEqualTo(404);
  }

  @Test
  void oneDeadEventIsRedeliveredByItsIdAndItsSiblingsStayDead() {
    startWithToken();
    feed("guest", "a", new JsonObject().put("maxRetries", 0));
    openwhisk.defaultReply("guest", "a", Reply.status(500));
    String first = api.event("guest", "a", new JsonObject().put("n", 1)).json().getString("eventId");
    String second = api.event("guest", "a", new JsonObject().put("n", 2)).json().getString("eventId");
    await().atMost(Duration.ofSeconds(15)).until(() -> api.read("guest", "a").json().getJsonObject("stats")
        .getLong("dead") == 2);
    openwhisk.defaultReply("guest", "a", Reply.status(202));

    Api.Response r = admin("POST", "/api/v1/admin/events/redeliver", new JsonObject().put("feed", "/guest/a")
        .put("event", second));
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.json()).isEqualTo(new JsonObject().put("redelivered", 1));
    await().atMost(Duration.ofSeconds(10)).until(() -> api.read("guest", "a").json().getJsonObject("stats")
        .getLong("delivered") == 1);
    List<String> dead = admin("/api/v1/admin/events?state=dead&feed=/guest/a").json().getJsonArray("events")
        .stream().map(e -> ((JsonObject) e).getString("id")).toList();
    assertThat(dead).containsExactly(first);

    assertThat(admin("POST", "/api/v1/admin/events/redeliver", new JsonObject().put("feed", "/guest/a")
        .put("event", java.util.UUID.randomUUID().toString())).status()).isEqualTo(404);
    assertThat(admin("POST", "/api/v1/admin/events/redeliver", new JsonObject().put("feed", "/guest/a")
        .put("event", "not-a-uuid")).status()).isEqualTo(400);
    assertThat(admin("POST", "/api/v1/admin/events/redeliver", new JsonObject().put("feed", "/guest/a")
        .put("event", first).put("state", "dead")).status()).isEqualTo(400);
    assertThat(admin("POST", "/api/v1/admin/events/redeliver", new JsonObject().put("feed", "/other/a")
        .put("event", first)).status()).isEqualTo(404);
    assertThat(api.read("guest", "a").json().getJsonObject("stats").getLong("dead")).isEqualTo(1);
  }

  @Test
  void activityShowsOldestPendingAgeAndFiresAndFailuresPerMinute() {
    startWithToken();
    feed("guest", "a", new JsonObject().put("maxRetries", 1).put("retryIntervalSec", 1));
    feed("guest", "quiet", new JsonObject());
    openwhisk.defaultReply("guest", "a", Reply.status(202));
    for (int i = 0; i < 3; i++) api.event("guest", "a", new JsonObject().put("n", i));
    await().atMost(Duration.ofSeconds(10)).until(() -> sum(activity("/guest/a"), "fired") == 3);
    openwhisk.defaultReply("guest", "a", Reply.status(500));
    api.event("guest", "a", new JsonObject().put("n", 3));
    // one event, two attempts (maxRetries 1), both failures; then it is dead
    await().atMost(Duration.ofSeconds(15)).until(() -> sum(activity("/guest/a"), "failed") == 2);

    JsonObject a = activity("/guest/a");
    assertThat(a.getString("trigger")).isEqualTo("/guest/a");
    assertThat(a.getInteger("bucketSec")).isEqualTo(60);
    assertThat(a.getJsonArray("fired")).hasSize(60);
    assertThat(a.getJsonArray("failed")).hasSize(60);
    assertThat(Instant.parse(a.getString("since"))).isBetween(Instant.now().minus(Duration.ofMinutes(61)),
        Instant.now().minus(Duration.ofMinutes(58)));
    assertThat(sum(a, "fired")).isEqualTo(3);
    assertThat(a.getDouble("oldestPendingAgeSec")).isZero();

    // a paused feed's events wait: the oldest one's age grows, and nothing is fired
    api.pause("guest", "quiet");
    api.event("guest", "quiet", new JsonObject());
    db.execute("UPDATE whiskfeed.events SET created_at = now() - interval '90 seconds' WHERE state = 'pending'");
    db.execute("UPDATE whiskfeed.pending SET created_at = now() - interval '90 seconds'");
    api.event("guest", "quiet", new JsonObject());
    JsonObject quiet = activity("/guest/quiet");
    assertThat(quiet.getDouble("oldestPendingAgeSec")).isBetween(89.0, 150.0);
    assertThat(sum(quiet, "fired") + sum(quiet, "failed")).isZero();

    assertThat(admin("/api/v1/admin/feeds/guest/nope/activity").status()).isEqualTo(404);
    assertThat(admin("/api/v1/admin/feeds/_/a/activity").status()).isEqualTo(400);
  }

  private JsonObject activity(String feed) {
    Api.Response r = admin("/api/v1/admin/feeds" + feed + "/activity");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json();
  }

  private static long sum(JsonObject activity, String name) {
    return activity.getJsonArray(name).stream().mapToLong(v -> ((Number) v).longValue()).sum();
  }

  @Test
  void storesShowBacklogAgeAndLeases() {
    startWithToken();
    feed("guest", "t", new JsonObject());
    api.pause("guest", "t");
    api.event("guest", "t", new JsonObject());
    api.event("guest", "t", new JsonObject());
    JsonArray stores = admin("/api/v1/admin/stores").json().getJsonArray("stores");
    assertThat(stores).hasSize(1);
    JsonObject control = stores.getJsonObject(0);
    assertThat(control.getString("name")).isEqualTo("control");
    assertThat(control.getBoolean("reachable")).isTrue();
    assertThat(control.getLong("backlog")).isEqualTo(2);
    assertThat(control.getDouble("oldestPendingAgeSec")).isGreaterThanOrEqualTo(0);
    assertThat(control.getLong("leasesHeld")).isZero();

    openwhisk.delayAll(Duration.ofSeconds(5));
    api.unpause("guest", "t");
    await().atMost(Duration.ofSeconds(5)).until(() -> admin("/api/v1/admin/stores").json().getJsonArray("stores")
        .getJsonObject(0).getLong("leasesHeld") == 2);
    JsonObject busy = admin("/api/v1/admin/stores").json().getJsonArray("stores").getJsonObject(0);
    assertThat(busy.getLong("leasesHeldHere")).isEqualTo(2);
    openwhisk.delayAll(Duration.ZERO);
  }
}
