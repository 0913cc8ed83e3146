package dev.whiskfeed.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.whiskfeed.app.Provider;
import dev.whiskfeed.store.DeliveryLog;
import dev.whiskfeed.testing.PgExtension;
import dev.whiskfeed.testing.Recorded;
import dev.whiskfeed.testing.Reply;
import dev.whiskfeed.testing.TestDatabase;
import dev.whiskfeed.testing.TestPostgres;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The invocation log (API.md "Envelope and invocation log"): {@code GET …/events/{eventId}} and
 * {@code GET /api/v1/admin/events/{eventId}} show an event with every attempt at firing it, read
 * from the delivery log, for events in the control database and in a source database.
 */
@ExtendWith(PgExtension.class)
class InvocationLogIT extends WithStandInOpenWhisk {
  static final String KEY = "23bc46b1-71f6-4ed5-8c54-816aa4f8c502:invocationLogTestKey";
  static final String OTHER_KEY = "7c1bd0a3-0a0e-4a77-a0f5-3c2fb0d1c9e4:someoneElsesKey";
  static final Duration WAIT = Duration.ofSeconds(30);
  TestPostgres pg;
  TestDatabase db;
  Provider provider;
  Api api;

  @BeforeEach
  void database(TestPostgres pg) {
    this.pg = pg;
    openwhisk.reset();
    openwhisk.registerKey("guest", KEY);
    openwhisk.registerKey("other", OTHER_KEY);
    db = pg.newDatabase("invocations");
  }

  @AfterEach
  void stop() throws Exception {
    if (provider != null) provider.close();
  }

  private void start(Map<String, String> env) {
    provider = TestProvider.start(db, openwhisk.url(), env);
    api = new Api(provider.port(), KEY);
  }

  private void hookFeed(Api as, String ns, String trigger, JsonObject params) {
    Api.Response r = as.create(ns, trigger, new JsonObject().put("kind", "webhook").mergeIn(params));
    assertThat(r.status()).as(r.body()).isEqualTo(200);
  }

  private static String post(Api as, String ns, String trigger, JsonObject data) {
    Api.Response r = as.event(ns, trigger, data);
    assertThat(r.status()).as(r.body()).isEqualTo(202);
    return r.json().getString("eventId");
  }

  private Api.Response event(Api as, String ns, String trigger, String eventId) {
    return as.send("GET", Api.feed(ns, trigger) + "/events/" + eventId, null);
  }

  private Api.Response admin(String eventId, String token) {
    return Ops.send(provider.port(), "GET", "/api/v1/admin/events/" + eventId, token, null);
  }

  /** The event once its delivery log shows {@code n} attempts. */
  private JsonObject awaitAttempts(String ns, String trigger, String eventId, int n) {
    await().atMost(WAIT).until(() -> {
      Api.Response r = event(api, ns, trigger, eventId);
      return r.status() == 200 && r.json().getJsonArray("attempts").size() >= n
          && !"pending".equals(r.json().getString("state"));
    });
    return event(api, ns, trigger, eventId).json();
  }

  private static List<JsonObject> attempts(JsonObject event) {
    List<JsonObject> out = new ArrayList<>();
    event.getJsonArray("attempts").forEach(a -> out.add((JsonObject) a));
    return out;
  }

  @Test
  void anEventShowsEveryAttemptOldestFirstWithWhatOpenWhiskAnswered() {
    start(Map.of());
    hookFeed(api, "guest", "t", new JsonObject().put("retryIntervalSec", 1));
    openwhisk.reply("guest", "t", Reply.status(500));
    String id = post(api, "guest", "t", new JsonObject().put("total", 9.5));

    JsonObject event = awaitAttempts("guest", "t", id, 2);
    assertThat(event.getString("id")).isEqualTo(id);
    assertThat(event.getString("op")).isEqualTo("MANUAL");
    assertThat(event.getString("state")).isEqualTo("delivered");
    assertThat(event.getInteger("attemptCount")).isEqualTo(2);
    assertThat(event.getJsonObject("payload")).isEqualTo(new JsonObject().put("data", new JsonObject().put("total", 9.5)));
    List<Recorded> fires = openwhisk.fires("guest", "t");
    assertThat(fires).hasSize(2);
    List<JsonObject> attempts = attempts(event);
    assertThat(attempts).hasSize(2);
    JsonObject failed = attempts.get(0);
    assertThat(failed.fieldNames()).containsExactlyInAnyOrder("at", "statusCode", "activationId", "error", "durationMs");
    assertThat(failed.getInteger("statusCode")).isEqualTo(500);
    assertThat(failed.getString("error")).isNotBlank();
    assertThat(failed.getValue("activationId")).isNull();
    JsonObject delivered = attempts.get(1);
    assertThat(delivered.getInteger("statusCode")).isEqualTo(202);
    assertThat(delivered.getValue("error")).isNull();
    assertThat(delivered.getString("activationId")).isEqualTo(fires.get(1).activationId())
        .isEqualTo(event.getString("activationId"));
    Instant created = Instant.parse(event.getString("createdAt"));
    Instant first = Instant.parse(failed.getString("at"));
    Instant second = Instant.parse(delivered.getString("at"));
    // the retry waited its second: the attempts are stamped when they were answered, not when logged
    assertThat(Duration.between(first, second)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
    assertThat(first).isAfterOrEqualTo(created);
    assertThat(second).isBeforeOrEqualTo(Instant.parse(event.getString("deliveredAt")));
    assertThat(attempts).allSatisfy(a -> assertThat(a.getInteger("durationMs")).isNotNegative());
    assertThat(event.encode()).doesNotContain(KEY).doesNotContain(KEY.substring(KEY.indexOf(':') + 1));
  }

  @Test
  void aDeadEventKeepsEveryFailedAttemptAndAPendingOneHasNone() {
    start(Map.of());
    hookFeed(api, "guest", "t", new JsonObject().put("retryIntervalSec", 1).put("maxRetries", 1));
    openwhisk.defaultReply("guest", "t", Reply.status(503));
    String dead = post(api, "guest", "t", new JsonObject().put("n", 1));

    JsonObject event = awaitAttempts("guest", "t", dead, 2);
    assertThat(event.getString("state")).isEqualTo("dead");
    assertThat(event.getString("deliveredAt")).isNotNull();
    assertThat(attempts(event)).extracting(a -> a.getInteger("statusCode")).containsExactly(503, 503);

    assertThat(api.pause("guest", "t").status()).isEqualTo(200);
    String waiting = post(api, "guest", "t", new JsonObject().put("n", 2));
    JsonObject pending = event(api, "guest", "t", waiting).json();
    assertThat(pending.getString("state")).isEqualTo("pending");
    assertThat(pending.getInteger("attemptCount")).isZero();
    assertThat(pending.getJsonArray("attempts")).isEmpty();
  }

  @Test
  void anotherFeedsEventIsNotFoundLikeAnUnknownIdAndAMalformedIdIsRefused() {
    start(Map.of("WHISKFEED_ADMIN_TOKEN", TestProvider.ADMIN_TOKEN));
    Api other = api.as(OTHER_KEY);
    hookFeed(api, "guest", "t", new JsonObject());
    hookFeed(other, "other", "secret", new JsonObject());
    String theirs = post(other, "other", "secret", new JsonObject().put("private", "theirs"));
    await().atMost(WAIT).until(() -> openwhisk.fires("other", "secret").size() == 1);

    Api.Response notOurs = event(api, "guest", "t", theirs);
    assertThat(notOurs.status()).isEqualTo(404);
    assertThat(notOurs.body()).doesNotContain("other").doesNotContain("secret").doesNotContain("theirs");
    String unknown = UUID.randomUUID().toString();
    Api.Response missing = event(api, "guest", "t", unknown);
    assertThat(missing.status()).isEqualTo(404);
    assertThat(notOurs.error()).isEqualTo(missing.error().replace(unknown, theirs));
    assertThat(missing.error()).isEqualTo("could not find event " + unknown + " of trigger /guest/t");

    Api.Response malformed = event(api, "guest", "t", "not-a-uuid");
    assertThat(malformed.status()).isEqualTo(400);
    assertThat(malformed.error()).isEqualTo("event id must be a UUID");
    // their event through our key on their trigger: the lifecycle's usual refusal
    assertThat(event(api, "other", "secret", theirs).status()).isIn(401, 403);

    // the operator sees it, naming its feed
    Api.Response seen = admin(theirs, TestProvider.ADMIN_TOKEN);
    assertThat(seen.status()).as(seen.body()).isEqualTo(200);
    assertThat(seen.json().getString("feed")).isEqualTo("/other/secret");
    assertThat(seen.json().getString("store")).isEqualTo("control");
    assertThat(seen.json().getJsonObject("payload").getJsonObject("data").getString("private")).isEqualTo("theirs");
    await().atMost(WAIT).until(() -> admin(theirs, TestProvider.ADMIN_TOKEN).json().getJsonArray("attempts").size() == 1);
    JsonObject attempt = admin(theirs, TestProvider.ADMIN_TOKEN).json().getJsonArray("attempts").getJsonObject(0);
    assertThat(attempt.getInteger("statusCode")).isEqualTo(202);
    assertThat(attempt.getString("activationId")).isEqualTo(openwhisk.fires("other", "secret").get(0).activationId());
    assertThat(admin(theirs, TestProvider.ADMIN_TOKEN).body()).doesNotContain(OTHER_KEY.substring(37));

    assertThat(admin(unknown, TestProvider.ADMIN_TOKEN).status()).isEqualTo(404);
    assertThat(admin(unknown, TestProvider.ADMIN_TOKEN).error()).isEqualTo("could not find event " + unknown);
    assertThat(admin("not-a-uuid", TestProvider.ADMIN_TOKEN).status()).isEqualTo(400);
    assertThat(admin(theirs, "not-the-token").status()).isEqualTo(401);
  }

  @Test
  void anEventCapturedInASourceDatabaseIsReadFromThereWithItsAttempts() {
    TestDatabase orders = pg.newDatabase("invocations_src");
    orders.execute("CREATE TABLE public.orders (id int PRIMARY KEY, status text)");
    start(Map.of("WHISKFEED_SOURCES", "orders=" + orders.url(), "WHISKFEED_SOURCE_NAMESPACES", "control=*;orders=*",
        "WHISKFEED_ADMIN_TOKEN", TestProvider.ADMIN_TOKEN, "WHISKFEED_CAPTURE_CHECK_MS", "300"));
    Api.Response created = api.create("guest", "c", new JsonObject().put("kind", "changes").put("table", "public.orders")
        .put("source", "orders").put("capture", "trigger"));
    assertThat(created.status()).as(created.body()).isEqualTo(200);
    orders.execute("INSERT INTO public.orders VALUES (1, 'new')");
    await().atMost(WAIT).until(() -> openwhisk.fires("guest", "c").size() == 1);
    String id = openwhisk.fires("guest", "c").get(0).json().getString("id");
    assertThat(orders.queryLong("SELECT count(*) FROM whiskfeed.events")).isEqualTo(1);
    assertThat(db.queryLong("SELECT count(*) FROM whiskfeed.events")).isZero();

    JsonObject event = awaitAttempts("guest", "c", id, 1);
    assertThat(event.getString("op")).isEqualTo("INSERT");
    assertThat(event.getJsonObject("payload").getJsonObject("data").getJsonObject("new"))
        .isEqualTo(new JsonObject().put("id", 1).put("status", "new"));
    assertThat(attempts(event)).extracting(a -> a.getInteger("statusCode")).containsExactly(202);

    JsonObject seen = admin(id, TestProvider.ADMIN_TOKEN).json();
    assertThat(seen.getString("feed")).isEqualTo("/guest/c");
    assertThat(seen.getString("store")).isEqualTo("source:orders");
    assertThat(seen.getJsonArray("attempts")).isEqualTo(event.getJsonArray("attempts"));
  }

  @Test
  void theAttemptsOfAnEventAreReadThroughTheFeedsIndexNotByScanningTheLog() throws Exception {
    start(Map.of());
    // an hour of a busy log: 200,000 attempts of 100 feeds
    db.execute("INSERT INTO whiskfeed.delivery_log (feed_id, event_ids, attempted_at, status_code, latency_ms) "
        + "SELECT g % 100 + 1, ARRAY[gen_random_uuid()], now() - g * interval '18 milliseconds', 202, 5 "
        + "FROM generate_series(1, 200000) g");
    db.execute("ANALYZE whiskfeed.delivery_log");
    List<String> plan = new ArrayList<>();
    try (Connection c = db.connect(); Statement s = c.createStatement()) {
      s.execute("PREPARE attempts(bigint, uuid, timestamptz, timestamptz, bigint) AS " + DeliveryLog.ATTEMPTS);
      // delivered a minute after it was created, and pending since half an hour
      for (String done : new String[] {"now() - interval '29 minutes'", "NULL"}) {
        try (ResultSet r = s.executeQuery("EXPLAIN EXECUTE attempts(7, gen_random_uuid(), "
            + "now() - interval '31 minutes', " + done + ", 60000)")) {
          while (r.next()) plan.add(r.getString(1));
        }
      }
    }
    String text = String.join("\n", plan);
    assertThat(text).as(text).contains("delivery_log_feed").doesNotContain("Seq Scan");
    assertThat(text).as(text).containsPattern("Index Cond: \\(\\(feed_id = '?7'?(::bigint)?\\) AND \\(attempted_at >=");
  }
}
