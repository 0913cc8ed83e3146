package dev.whiskfeed.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.whiskfeed.app.Provider;
import dev.whiskfeed.testing.PgExtension;
import dev.whiskfeed.testing.Recorded;
import dev.whiskfeed.testing.Reply;
import dev.whiskfeed.testing.TestDatabase;
import dev.whiskfeed.testing.TestPostgres;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The delivery engine against a real Postgres and the stand-in OpenWhisk (ARCHITECTURE.md "Delivery guarantees"). */
@ExtendWith(PgExtension.class)
class DeliveryIT extends WithStandInOpenWhisk {
  static final String KEY = "23bc46b1-71f6-4ed5-8c54-816aa4f8c502:deliveryTestKey";
  TestDatabase db;
  Provider provider;
  Api api;

  @BeforeEach
  void start(TestPostgres pg) {
    openwhisk.reset();
    db = pg.newDatabase("delivery");
    provider = TestProvider.start(db, openwhisk.url());
    api = new Api(provider.port(), KEY);
  }

  @AfterEach
  void stop() throws Exception {
    if (provider != null) provider.close();
  }

  private void feed(String trigger, JsonObject params) {
    Api.Response r = api.create("guest", trigger, new JsonObject().put("kind", "webhook").mergeIn(params));
    assertThat(r.status()).as(r.body()).isEqualTo(200);
  }

  private String event(String trigger, JsonObject data) {
    Api.Response r = api.event("guest", trigger, data);
    assertThat(r.status()).as(r.body()).isEqualTo(202);
    return r.json().getString("eventId");
  }

  private JsonObject read(String trigger) {
    return api.read("guest", trigger).json();
  }

  private static Duration gap(Recorded a, Recorded b) {
    return Duration.between(a.receivedAt(), b.receivedAt());
  }

  @Test
  void oneEventFiresOnceWithTheEnvelope() {
    feed("t", new JsonObject());
    String id = event("t", new JsonObject().put("total", 9.5));
    await().atMost(Duration.ofSeconds(10)).until(() -> openwhisk.fires("guest", "t").size() == 1);
    Recorded fire = openwhisk.fires("guest", "t").get(0);
    assertThat(fire.path()).isEqualTo("/api/v1/namespaces/guest/triggers/t");
    assertThat(fire.authKey()).isEqualTo(KEY);
    assertThat(fire.header("content-type")).startsWith("application/json");
    assertThat(fire.header("x-whiskfeed-event-id")).isEqualTo(id);
    JsonObject body = fire.json();
    assertThat(body.getString("id")).isEqualTo(id);
    assertThat(body.getJsonObject("trigger").getString("name")).isEqualTo("/guest/t");
    assertThat(body.getJsonObject("event").getString("op")).isEqualTo("MANUAL");
    assertThat(body.getJsonObject("event").getJsonObject("data")).isEqualTo(new JsonObject().put("total", 9.5));
    assertThat(body.getJsonObject("event").fieldNames()).contains("session_variables", "trace_context");
    assertThat(body.getJsonObject("event").getValue("session_variables")).isNull();
    assertThat(body.getJsonObject("event").getValue("trace_context")).isNull();
    assertThat(body.getJsonObject("delivery_info")).isEqualTo(new JsonObject().put("max_retries", 12)
        .put("current_retry", 0));
    assertThat(body.getString("created_at")).endsWith("Z");
    await().atMost(Duration.ofSeconds(5)).until(() -> read("t").getJsonObject("stats").getLong("fires") == 1);
    JsonObject stats = read("t").getJsonObject("stats");
    assertThat(stats.getLong("delivered")).isEqualTo(1);
    assertThat(stats.getLong("pending")).isZero();
    JsonObject listed = api.events("guest", "t", "state=delivered").json().getJsonArray("events").getJsonObject(0);
    assertThat(listed.getString("activationId")).isEqualTo(fire.activationId());
    await().atMost(Duration.ofSeconds(5))
        .until(() -> db.queryLong("SELECT count(*) FROM whiskfeed.delivery_log WHERE status_code = 202") == 1);
    assertThat(openwhisk.fires()).hasSize(1);
  }

  @Test
  void serverErrorsAreRetriedWithGrowingGapsAndTheSameId() {
    feed("t", new JsonObject());
    openwhisk.reply("guest", "t", Reply.status(500), Reply.status(500), Reply.status(500));
    String id = event("t", new JsonObject());
    await().atMost(Duration.ofSeconds(20)).until(() -> openwhisk.fires("guest", "t").size() == 4);
    List<Recorded> fires = openwhisk.fires("guest", "t");
    assertThat(fires).allSatisfy(f -> assertThat(f.json().getString("id")).isEqualTo(id));
    assertThat(fires.stream().map(f -> f.json().getJsonObject("delivery_info").getInteger("current_retry")))
        .containsExactly(0, 1, 2, 3);
    assertThat(gap(fires.get(0), fires.get(1))).isGreaterThanOrEqualTo(Duration.ofMillis(900));
    assertThat(gap(fires.get(1), fires.get(2))).isGreaterThanOrEqualTo(Duration.ofMillis(1900));
    assertThat(gap(fires.get(2), fires.get(3))).isGreaterThanOrEqualTo(Duration.ofMillis(3900));
    await().atMost(Duration.ofSeconds(5)).until(() -> read("t").getJsonObject("stats").getLong("delivered") == 1);
    assertThat(openwhisk.fires("guest", "t")).hasSize(4);
  }

  @Test
  void notFoundUnauthorizedAndForbiddenDisableTheFeed() {
    for (int status : new int[] {404, 401, 403}) {
      String trigger = "t" + status;
      feed(trigger, new JsonObject());
      openwhisk.reply("guest", trigger, Reply.status(status));
      event(trigger, new JsonObject());
      await().atMost(Duration.ofSeconds(10))
          .until(() -> "disabled".equals(read(trigger).getJsonObject("status").getString("state")));
      JsonObject reason = read(trigger).getJsonObject("status").getJsonObject("reason");
      assertThat(reason.getString("kind")).isEqualTo("AUTO");
      assertThat(reason.getInteger("statusCode")).isEqualTo(status);
      assertThat(reason.getString("message")).startsWith("Trigger automatically disabled: ");
      event(trigger, new JsonObject());
      assertThat(read(trigger).getJsonObject("stats").getLong("pending")).isEqualTo(2);
    }
    // later events of a disabled feed are not fired, and an UPDATE re-enables it
    await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(3))
        .until(() -> openwhisk.fires().size() == 3);
    assertThat(api.update("guest", "t404", new JsonObject().put("maxRetries", 5)).status()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(10)).until(() -> openwhisk.fires("guest", "t404").size() == 3);
  }

  @Test
  void anUpdateWithARotatedKeyStoresItAndReEnablesTheFeed() {
    String rotated = "23bc46b1-71f6-4ed5-8c54-816aa4f8c502:rotatedKey";
    openwhisk.registerKey("guest", KEY);
    feed("t", new JsonObject());
    // the user rotates the namespace's key: the stored one now earns 401 and the feed is disabled
    openwhisk.registerKey("guest", rotated);
    openwhisk.revokeKey(KEY);
    Api withNewKey = api.as(rotated);
    assertThat(withNewKey.event("guest", "t", new JsonObject().put("n", 1)).status()).isEqualTo(202);
    await().atMost(Duration.ofSeconds(10)).until(() -> "disabled".equals(
        withNewKey.read("guest", "t").json().getJsonObject("status").getString("state")));
    // the feed action passes the new key with UPDATE: it is the one fires use from now on
    assertThat(withNewKey.update("guest", "t", new JsonObject().put("maxRetries", 5)).status()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(10)).until(() -> openwhisk.fires("guest", "t").stream()
        .anyMatch(f -> f.status() / 100 == 2));
    Recorded delivered = openwhisk.fires("guest", "t").stream().filter(f -> f.status() / 100 == 2).findFirst().orElseThrow();
    assertThat(delivered.authKey()).isEqualTo(rotated);
    assertThat(withNewKey.read("guest", "t").json().getJsonObject("status").getString("state")).isEqualTo("active");
  }

  @Test
  void theFirstSuccessAfterAnOutagePullsTheBackoffForward() {
    feed("t", new JsonObject().put("retryIntervalSec", 120));
    openwhisk.reply("guest", "t", Reply.status(503));
    String first = event("t", new JsonObject().put("n", 1));
    await().atMost(Duration.ofSeconds(5)).until(() -> openwhisk.fires("guest", "t").size() == 1);
    event("t", new JsonObject().put("n", 2));
    // without the pull the first event would wait two minutes
    await().atMost(Duration.ofSeconds(10)).until(() -> openwhisk.fires("guest", "t").stream()
        .filter(f -> f.status() == 202).map(f -> f.header("x-whiskfeed-event-id")).toList().contains(first));
  }

  @Test
  void aRetryRecordedButNotYetWrittenWhenTheFeedRecoversIsPulledForwardToo() throws Exception {
    feed("t", new JsonObject().put("retryIntervalSec", 120));
    openwhisk.reply("guest", "t", Reply.status(503).after(Duration.ofSeconds(1)));
    String first = event("t", new JsonObject().put("n", 1));
    await().atMost(Duration.ofSeconds(5)).until(() -> openwhisk.fires("guest", "t").size() == 1);
    try (java.sql.Connection lock = db.connect()) {
      // while this lock is held, the 503's outcome is recorded by the provider but cannot be written
      lock.setAutoCommit(false);
      lock.createStatement().execute("SELECT 1 FROM whiskfeed.events WHERE id = '" + first + "' FOR UPDATE");
      await().atMost(Duration.ofSeconds(10)).until(() -> db.queryLong("SELECT count(*) FROM pg_stat_activity "
          + "WHERE wait_event_type = 'Lock' AND query LIKE 'WITH u AS%unnest($1::uuid[], $2::text[]%'") == 1);
      event("t", new JsonObject().put("n", 2));
      // the recovering success is delivered and counted: the pull-forward it starts comes after
      await().atMost(Duration.ofSeconds(10)).until(() -> read("t").getJsonObject("stats").getLong("fires") == 1);
      lock.commit();
    }
    // without the pull the first event would wait two minutes
    await().atMost(Duration.ofSeconds(10)).until(() -> openwhisk.fires("guest", "t").stream()
        .filter(f -> f.status() == 202).map(f -> f.header("x-whiskfeed-event-id")).toList().contains(first));
  }

  @Test
  void oneFeedsBacklogDoesNotHoldBackAnotherFeedsEvent() throws Exception {
    provider.close();
    provider = TestProvider.start(db, openwhisk.url(), Map.of("WHISKFEED_MAX_CONCURRENT_FIRES", "2"));
    api = new Api(provider.port(), KEY);
    openwhisk.delayAll(Duration.ofMillis(20));
    feed("busy", new JsonObject());
    feed("quiet", new JsonObject());
    api.pause("guest", "busy");
    db.execute("INSERT INTO whiskfeed.events (feed_id, op, payload) SELECT f.id, 'MANUAL', "
        + "jsonb_build_object('data', jsonb_build_object('n', g)) FROM generate_series(1, 1000) g "
        + "JOIN whiskfeed.feeds f ON f.trigger = 'busy'");
    api.unpause("guest", "busy");
    await().atMost(Duration.ofSeconds(10)).until(() -> openwhisk.fires("guest", "busy").size() >= 20);
    event("quiet", new JsonObject().put("n", 1));
    // two fires at a time, 20 ms each: the busy feed's backlog takes about ten seconds to drain
    await().atMost(Duration.ofSeconds(2)).until(() -> openwhisk.fires("guest", "quiet").size() == 1);
    assertThat(openwhisk.fires("guest", "busy").size()).isLessThan(500);
  }

  @Test
  void duringAnOutageAFeedIsProbedOneEventAtATimeAndItsBacklogKeepsItsRetries() throws Exception {
    provider.close();
    provider = TestProvider.start(db, openwhisk.url(), Map.of("WHISKFEED_MAX_CONCURRENT_FIRES", "2"));
    api = new Api(provider.port(), KEY);
    feed("t", new JsonObject().put("maxRetries", 2));
    openwhisk.defaultReply("guest", "t", Reply.status(503));
    api.pause("guest", "t");
    db.execute("INSERT INTO whiskfeed.events (feed_id, op, payload) SELECT f.id, 'MANUAL', "
        + "jsonb_build_object('data', jsonb_build_object('n', g)) FROM generate_series(1, 200) g "
        + "JOIN whiskfeed.feeds f ON f.trigger = 't'");
    api.unpause("guest", "t");
    int openAfter = 5; // deliver.Breakers.OPEN_AFTER
    // five failed fires open the breaker; then one probe after 1 s, 2 s, 4 s. Without it, every event
    // would be fired and retried twice within these 8 s, and all 200 would be dead by their end
    await().atMost(Duration.ofSeconds(5)).until(() -> openwhisk.fires("guest", "t").size() >= openAfter);
    await().during(Duration.ofSeconds(8)).atMost(Duration.ofSeconds(9)).until(() ->
        openwhisk.fires("guest", "t").size() <= openAfter + 2 + 4);
    assertThat(db.queryLong("SELECT count(*) FROM whiskfeed.event_status WHERE state = 'pending' AND attempts = 0"))
        .as("events that waited without an attempt").isGreaterThanOrEqualTo(200 - openAfter - 2 - 4);
    assertThat(read("t").getJsonObject("stats").getLong("dead")).isZero();

    // OpenWhisk is back: the next probe succeeds and the whole backlog is delivered
    openwhisk.defaultReply("guest", "t", Reply.accepted());
    await().atMost(Duration.ofSeconds(30)).until(() -> read("t").getJsonObject("stats").getLong("delivered") == 200);
    assertThat(read("t").getJsonObject("stats").getLong("dead")).isZero();
    assertThat(read("t").getJsonObject("status").getString("state")).isEqualTo("active");
  }

  @Test
  void requestTimeoutAndConflictRetryAndNeverDisable() {
    feed("t", new JsonObject());
    openwhisk.reply("guest", "t", Reply.status(408), Reply.status(409));
    event("t", new JsonObject());
    await().atMost(Duration.ofSeconds(10)).until(() -> openwhisk.fires("guest", "t").size() == 3);
    await().atMost(Duration.ofSeconds(5)).until(() -> read("t").getJsonObject("stats").getLong("delivered") == 1);
    assertThat(read("t").getJsonObject("status").getString("state")).isEqualTo("active");
  }

  @Test
  void retryAfterIsHonouredAndAlwaysThrottledDisablesWith429() {
    feed("t", new JsonObject().put("maxRetries", 2));
    openwhisk.defaultReply("guest", "t", Reply.status(429).withHeader("Retry-After", "1"));
    openwhisk.reply("guest", "t", Reply.status(429).withHeader("Retry-After", "2"));
    event("t", new JsonObject());
    await().atMost(Duration.ofSeconds(15)).until(() -> "disabled".equals(read("t").getJsonObject("status")
        .getString("state")));
    List<Recorded> fires = openwhisk.fires("guest", "t");
    assertThat(fires).hasSize(3);
    assertThat(gap(fires.get(0), fires.get(1))).isGreaterThanOrEqualTo(Duration.ofMillis(1900));
    assertThat(read("t").getJsonObject("status").getJsonObject("reason").getInteger("statusCode")).isEqualTo(429);
    assertThat(read("t").getJsonObject("stats").getLong("dead")).isZero();
  }

  @Test
  void exhaustedRetriesGoDeadAndCanBeRedelivered() {
    feed("t", new JsonObject().put("maxRetries", 1));
    openwhisk.reply("guest", "t", Reply.status(503), Reply.status(502));
    String id = event("t", new JsonObject().put("n", 1));
    await().atMost(Duration.ofSeconds(10)).until(() -> read("t").getJsonObject("stats").getLong("dead") == 1);
    JsonArray dead = api.events("guest", "t", "state=dead").json().getJsonArray("events");
    assertThat(dead).hasSize(1);
    assertThat(dead.getJsonObject(0).getString("id")).isEqualTo(id);
    assertThat(dead.getJsonObject(0).getInteger("attempts")).isEqualTo(2);
    assertThat(dead.getJsonObject(0).getInteger("lastStatusCode")).isEqualTo(502);
    assertThat(dead.getJsonObject(0).getString("lastError")).contains("502");
    assertThat(read("t").getJsonObject("status").getString("state")).isEqualTo("active");

    assertThat(api.redeliver("guest", "t", id).status()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(10)).until(() -> read("t").getJsonObject("stats").getLong("delivered") == 1);
    assertThat(openwhisk.fires("guest", "t")).hasSize(3);
    assertThat(api.redeliver("guest", "t", "00000000-0000-0000-0000-000000000000").status()).isEqualTo(404);
  }

  @Test
  void pausedFeedsWaitAndUnpauseDeliversEverything() {
    feed("t", new JsonObject());
    api.pause("guest", "t");
    for (int i = 0; i < 5; i++) event("t", new JsonObject().put("n", i));
    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2)).until(() -> openwhisk.fireCount() == 0);
    api.unpause("guest", "t");
    await().atMost(Duration.ofSeconds(10)).until(() -> openwhisk.fires("guest", "t").size() == 5);
  }

  @Test
  void maxTriggersIsCountedInTheDatabaseAndSurvivesARestart() throws Exception {
    feed("t", new JsonObject().put("maxTriggers", 2));
    for (int i = 0; i < 3; i++) event("t", new JsonObject().put("n", i));
    await().atMost(Duration.ofSeconds(10)).until(() -> "disabled".equals(read("t").getJsonObject("status")
        .getString("state")));
    await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(2)).until(() -> openwhisk.fireCount() == 2);
    JsonObject status = read("t").getJsonObject("status");
    assertThat(status.getJsonObject("reason").getString("message"))
        .isEqualTo("Automatically disabled after reaching max triggers");
    assertThat(read("t").getJsonObject("stats").getLong("fires")).isEqualTo(2);
    provider.close();
    provider = TestProvider.start(db, openwhisk.url());
    api = new Api(provider.port(), KEY);
    assertThat(read("t").getJsonObject("stats").getLong("fires")).isEqualTo(2);
    assertThat(api.unpause("guest", "t").status()).isEqualTo(200);
    await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(3)).until(() -> openwhisk.fireCount() == 2);
    assertThat(read("t").getJsonObject("status").getString("state")).isEqualTo("disabled");
  }

  @Test
  void anOrderedFeedHoldsBackOnlyItsOwnLaterEvents() {
    feed("ordered", new JsonObject().put("ordered", true));
    feed("free", new JsonObject());
    openwhisk.reply("guest", "ordered", Reply.status(500), Reply.status(500));
    event("ordered", new JsonObject().put("n", 1));
    event("ordered", new JsonObject().put("n", 2));
    event("free", new JsonObject().put("n", 1));
    await().atMost(Duration.ofSeconds(5)).until(() -> openwhisk.fires("guest", "free").size() == 1);
    await().atMost(Duration.ofSeconds(15)).until(() -> openwhisk.fires("guest", "ordered").size() == 4);
    List<Integer> order = openwhisk.fires("guest", "ordered").stream()
        .map(f -> f.json().getJsonObject("event").getJsonObject("data").getInteger("n")).toList();
    assertThat(order).containsExactly(1, 1, 1, 2);
  }

  @Test
  void batchesRespectSizeAndBytesAndAnOversizedEventGoesDead() {
    feed("t", new JsonObject().put("batchSize", 100).put("batchMaxBytes", 200_000));
    api.pause("guest", "t");
    long feedId = db.queryLong("SELECT id FROM whiskfeed.feeds");
    db.execute("INSERT INTO whiskfeed.events (feed_id, op, payload) SELECT ?, 'MANUAL', "
        + "jsonb_build_object('data', jsonb_build_object('n', g)) FROM generate_series(1, 250) g", feedId);
    db.execute("INSERT INTO whiskfeed.events (feed_id, op, payload) VALUES (?, 'MANUAL', "
        + "jsonb_build_object('data', jsonb_build_object('big', repeat('x', 300000))))", feedId);
    api.unpause("guest", "t");
    await().atMost(Duration.ofSeconds(15)).until(() -> read("t").getJsonObject("stats").getLong("delivered") == 250);
    List<Recorded> fires = openwhisk.fires("guest", "t");
    assertThat(fires).hasSize(3);
    Set<Integer> seen = new HashSet<>();
    for (Recorded f : fires) {
      assertThat(f.body().getBytes(java.nio.charset.StandardCharsets.UTF_8).length).isLessThanOrEqualTo(200_000);
      JsonArray events = f.json().getJsonArray("events");
      assertThat(events.size()).isLessThanOrEqualTo(100);
      assertThat(f.header("x-whiskfeed-event-id").split(",")).hasSize(events.size());
      events.forEach(e -> assertThat(seen.add(((JsonObject) e).getJsonObject("event").getJsonObject("data")
          .getInteger("n"))).isTrue());
    }
    assertThat(seen).hasSize(250);
    JsonObject dead = api.events("guest", "t", "state=dead").json().getJsonArray("events").getJsonObject(0);
    assertThat(dead.getString("lastError")).contains("larger than batchMaxBytes 200000");
  }

  @Test
  void leasesOfADeadInstanceExpireAndAnotherInstanceDelivers() {
    feed("t", new JsonObject());
    long feedId = db.queryLong("SELECT id FROM whiskfeed.feeds");
    // what a killed instance leaves behind: events due since their creation and leased to it, nobody
    // renewing (a lease leaves next_attempt_at where it was)
    Held.insertHeldBy(db, feedId, 20, "killed-instance", "clock_timestamp()", "now() + interval '2 seconds'");
    await().during(Duration.ofMillis(1200)).atMost(Duration.ofMillis(1500)).until(() -> openwhisk.fireCount() == 0);
    await().atMost(Duration.ofSeconds(10)).until(() -> openwhisk.fires("guest", "t").size() == 20);
    // the outcome is written after the answer arrives
    await().atMost(Duration.ofSeconds(5)).until(() ->
        db.queryLong("SELECT count(*) FROM whiskfeed.event_status WHERE state = 'delivered'") == 20);
  }

  @Test
  void eventsWhoseLeaseCouldNotBeRenewedAreNotFiredAfterAnotherInstanceTookThemOver() throws Exception {
    provider.close();
    provider = TestProvider.start(db, openwhisk.url(), Map.of("WHISKFEED_LEASE_SEC", "2",
        "WHISKFEED_MAX_CONCURRENT_FIRES", "1"));
    api = new Api(provider.port(), KEY);
    feed("t", new JsonObject());
    long feedId = db.queryLong("SELECT id FROM whiskfeed.feeds");
    openwhisk.delayAll(Duration.ofMillis(300));
    db.execute("INSERT INTO whiskfeed.events (feed_id, op, payload) SELECT ?, 'MANUAL', "
        + "jsonb_build_object('data', jsonb_build_object('n', g)) FROM generate_series(1, 20) g", feedId);
    await().atMost(Duration.ofSeconds(10)).until(() -> openwhisk.fires("guest", "t").size() >= 1);
    // one fire at a time, 300 ms each: the provider holds the rest in its queue. Its lease row,
    // locked, keeps its renewals (and claims) waiting until the lease runs out (it hands back what
    // it may no longer fire safely); then "another instance" takes over every pending event nobody
    // holds, as a claim does (events migration V6).
    List<String> taken = new ArrayList<>();
    java.time.Instant takenAt;
    try (java.sql.Connection c = db.connect()) {
      c.setAutoCommit(false);
      try (java.sql.Statement s = c.createStatement()) {
        s.execute("SELECT holder FROM whiskfeed.leases FOR UPDATE");
        await().pollDelay(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(3)).until(() -> true);
        try (java.sql.ResultSet rs = s.executeQuery("WITH gone AS (DELETE FROM whiskfeed.leases "
            + "WHERE until < clock_timestamp() RETURNING holder), "
            + "c AS (DELETE FROM whiskfeed.claims c USING gone WHERE c.holder = gone.holder), "
            + "t AS (SELECT p.id, p.next_attempt_at FROM whiskfeed.pending p "
            + "WHERE (p.id, p.next_attempt_at) NOT IN (SELECT h.id, h.due FROM whiskfeed.held h "
            + "WHERE h.until > clock_timestamp())), "
            + "l AS (INSERT INTO whiskfeed.leases VALUES ('other-instance', now() + interval '1 hour')), "
            + "o AS (INSERT INTO whiskfeed.claims (holder, ids, dues) "
            + "SELECT 'other-instance', array_agg(id), array_agg(next_attempt_at) FROM t) "
            + "SELECT id FROM t")) {
          while (rs.next()) taken.add(rs.getString(1));
        }
      }
      c.commit();
      takenAt = java.time.Instant.now();
    }
    assertThat(taken).isNotEmpty();
    await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> true);
    assertThat(openwhisk.fires("guest", "t")).filteredOn(f -> taken.contains(f.header("x-whiskfeed-event-id")))
        .allSatisfy(f -> assertThat(f.receivedAt()).isBefore(takenAt));
  }

  @Test
  void twoInstancesShareTheWorkAndNeverFireAnEventTwiceAtOnce(TestPostgres pg) throws Exception {
    feed("t", new JsonObject());
    long feedId = db.queryLong("SELECT id FROM whiskfeed.feeds");
    openwhisk.delayAll(Duration.ofMillis(5));
    try (Provider second = TestProvider.start(db, openwhisk.url())) {
      db.execute("INSERT INTO whiskfeed.events (feed_id, op, payload) SELECT ?, 'MANUAL', "
          + "jsonb_build_object('data', jsonb_build_object('n', g)) FROM generate_series(1, 2000) g", feedId);
      await().atMost(Duration.ofSeconds(60)).until(() ->
          db.queryLong("SELECT count(*) FROM whiskfeed.event_status WHERE state = 'delivered'") == 2000);
    }
    Map<String, List<Recorded>> byEvent = new HashMap<>();
    openwhisk.fires("guest", "t").forEach(f -> byEvent.computeIfAbsent(f.header("x-whiskfeed-event-id"),
        k -> new ArrayList<>()).add(f));
    assertThat(byEvent).hasSize(2000);
    byEvent.values().stream().filter(l -> l.size() > 1).forEach(l -> {
      for (int i = 1; i < l.size(); i++) {
        assertThat(l.get(i).receivedAt()).as("fires of one event: %s", l).isAfterOrEqualTo(l.get(i - 1).answeredAt());
      }
    });
    assertThat(db.queryLong("SELECT count(DISTINCT holder) FROM whiskfeed.claims"))
        .as("the second instance's stop handed back all it claimed").isLessThanOrEqualTo(1);
  }
}
