package dev.whiskfeed.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whiskfeed.app.Provider;
import dev.whiskfeed.testing.PgExtension;
import dev.whiskfeed.testing.TestDatabase;
import dev.whiskfeed.testing.TestPostgres;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** API.md's lifecycle API against a real Postgres and a stand-in OpenWhisk that checks keys. */
@ExtendWith(PgExtension.class)
class LifecycleIT extends WithStandInOpenWhisk {
  static final String KEY = "23bc46b1-71f6-4ed5-8c54-816aa4f8c502:123zO3xZCLrMN6v2BKK1dXYFpXlPkccOFqm12CdAsMgRU4VrNZ9lyGVCGuMDGIwP";
  static final String OTHER_KEY = "aaaaaaaa-71f6-4ed5-8c54-816aa4f8c502:otherNamespaceKey";

  TestDatabase db;
  Provider provider;
  Api api;

  @BeforeEach
  void start(TestPostgres pg) {
    openwhisk.reset();
    openwhisk.registerKey("guest", KEY);
    openwhisk.registerKey("other", OTHER_KEY);
    db = pg.newDatabase("lifecycle");
    provider = TestProvider.start(db, openwhisk.url());
    api = new Api(provider.port(), KEY);
  }

  @AfterEach
  void stop() throws Exception {
    if (provider != null) provider.close();
  }

  static JsonObject webhook() {
    return new JsonObject().put("kind", "webhook");
  }

  @Test
  void createReadUpdatePauseUnpauseDelete() {
    Api.Response created = api.create("guest", "t1", webhook().put("maxTriggers", 5));
    assertThat(created.status()).isEqualTo(200);
    assertThat(created.json().getString("status")).isEqualTo("success");
    JsonObject feed = created.json().getJsonObject("feed");
    assertThat(feed.getString("trigger")).isEqualTo("/guest/t1");
    assertThat(feed.getString("kind")).isEqualTo("webhook");
    assertThat(feed.getJsonObject("config").getInteger("maxTriggers")).isEqualTo(5);
    assertThat(feed.getJsonObject("config").getInteger("maxRetries")).isEqualTo(12);
    JsonObject status = feed.getJsonObject("status");
    assertThat(status.getBoolean("active")).isTrue();
    assertThat(status.getString("state")).isEqualTo("active");
    assertThat(status.getLong("dateChanged")).isPositive();
    assertThat(status.getString("dateChangedISO")).endsWith("Z");
    assertThat(status.containsKey("reason")).isFalse();
    assertThat(feed.getJsonObject("stats").getLong("pending")).isZero();

    Api.Response read = api.read("guest", "t1");
    assertThat(read.status()).isEqualTo(200);
    assertThat(read.json()).isEqualTo(feed);

    Api.Response updated = api.update("guest", "t1", new JsonObject().put("maxRetries", 3));
    assertThat(updated.status()).isEqualTo(200);
    JsonObject config = updated.json().getJsonObject("feed").getJsonObject("config");
    assertThat(config.getInteger("maxRetries")).isEqualTo(3);
    assertThat(config.getInteger("maxTriggers")).isEqualTo(5);

    Api.Response paused = api.pause("guest", "t1");
    assertThat(paused.status()).isEqualTo(200);
    JsonObject pausedStatus = paused.json().getJsonObject("feed").getJsonObject("status");
    assertThat(pausedStatus.getString("state")).isEqualTo("paused");
    assertThat(pausedStatus.getBoolean("active")).isFalse();
    assertThat(pausedStatus.getJsonObject("reason").getString("kind")).isEqualTo("USER");
    assertThat(api.pause("guest", "t1").json().getJsonObject("feed").getJsonObject("status"))
        .isEqualTo(pausedStatus);

    assertThat(api.unpause("guest", "t1").json().getJsonObject("feed").getJsonObject("status").getString("state"))
        .isEqualTo("active");
    assertThat(api.unpause("guest", "t1").status()).isEqualTo(200);

    Api.Response deleted = api.delete("guest", "t1");
    assertThat(deleted.status()).isEqualTo(200);
    assertThat(deleted.json()).isEqualTo(new JsonObject().put("status", "success"));
    Api.Response gone = api.read("guest", "t1");
    assertThat(gone.status()).isEqualTo(404);
    assertThat(gone.error()).isEqualTo("could not find trigger /guest/t1 in the database");
    assertThat(gone.code()).isEqualTo("feed_not_found");
  }

  @Test
  void everyKindCanBeCreated() {
    assertThat(api.create("guest", "a", new JsonObject().put("kind", "alarm").put("cron", "* * * * *")).status())
        .isEqualTo(200);
    db.execute("CREATE TABLE public.orders (id int primary key)");
    assertThat(api.create("guest", "c", new JsonObject().put("kind", "changes").put("table", "public.orders")).status())
        .isEqualTo(200);
    assertThat(db.queryLong("SELECT count(*) FROM whiskfeed.feeds")).isEqualTo(2);
  }

  @Test
  void badInputIsA400ThatNamesTheProblemAndChangesNothing() {
    assertError(api.create("guest", "t", new JsonObject()), 400, "kind is required");
    assertError(api.create("guest", "t", new JsonObject().put("kind", "ftp")), 400, "kind 'ftp' is not one of");
    assertError(api.create("guest", "t", webhook().put("tabel", "x")), 400, "parameter 'tabel'");
    assertError(api.create("guest", "t", webhook().put("maxRetries", "lots")), 400,
        "the maxRetries parameter must be an integer");
    assertError(api.create("guest", "t", webhook().put("batchSize", 5000)), 400, "batchSize");
    assertError(api.create("guest", "t", webhook().put("ordered", "yes")), 400, "ordered");
    assertError(api.create("_", "t", webhook()), 400, "'_'");
    assertError(api.send("POST", Api.feed("guest", "t"), "{\"kind\":"), 400, "not valid JSON");
    assertError(api.send("POST", Api.feed("guest", "t"), "{\"kind\":\"webhook\",\"kind\":\"alarm\"}"), 400,
        "Duplicate");
    assertError(api.send("POST", Api.feed("guest", "t"), "kind=webhook", "application/x-www-form-urlencoded"), 415,
        "must be JSON");
    assertError(api.send("POST", Api.feed("guest", "t"), "{\"kind\":\"webhook\",\"x\":\"" + "a".repeat(1_100_000)
        + "\"}"), 413, "larger than");
    assertThat(db.queryLong("SELECT count(*) FROM whiskfeed.feeds")).isZero();

    assertThat(api.create("guest", "t", webhook()).status()).isEqualTo(200);
    assertError(api.update("guest", "t", new JsonObject()), 400, "no updatable parameters were specified");
    assertError(api.update("guest", "t", new JsonObject().put("maxRetries", -1)), 400, "maxRetries");
    assertError(api.update("guest", "t", new JsonObject().put("kind", "alarm").put("maxRetries", 3)), 400,
        "kind cannot be changed");
    assertThat(api.read("guest", "t").json().getJsonObject("config").getInteger("maxRetries")).isEqualTo(12);
  }

  @Test
  void unknownFeedsRoutesAndMethodsAnswerJson() {
    assertError(api.delete("guest", "nope"), 404, "could not find trigger /guest/nope in the database");
    assertError(api.update("guest", "nope", new JsonObject().put("maxRetries", 1)), 404, "could not find trigger");
    assertError(api.pause("guest", "nope"), 404, "could not find trigger");
    assertError(api.send("GET", "/api/v1/nothing", null), 404, "no such resource");
    assertError(api.send("PATCH", Api.feed("guest", "t"), "{}"), 405, "method not allowed");
  }

  @Test
  void credentialsAreCheckedAgainstOpenWhisk() {
    assertThat(api.create("guest", "t", webhook()).status()).isEqualTo(200);
    assertError(api.as(null).read("guest", "t"), 401, "Basic credentials");
    assertError(api.as("not-a-key").read("guest", "t"), 401, "Basic credentials");
    assertError(api.as("23bc46b1-71f6-4ed5-8c54-816aa4f8c502:wrong").read("guest", "t"), 401,
        "Trigger authentication request failed.");
    // a key of another namespace: OpenWhisk says 403, passed through
    Api foreign = api.as(OTHER_KEY);
    for (Api.Response r : List.of(foreign.read("guest", "t"), foreign.update("guest", "t",
        new JsonObject().put("maxRetries", 1)), foreign.pause("guest", "t"), foreign.delete("guest", "t"),
        foreign.events("guest", "t", null), foreign.create("guest", "t", webhook()))) {
      assertError(r, 403, "Trigger authentication request failed.");
    }
    assertThat(api.read("guest", "t").json().getJsonObject("config").getInteger("maxRetries")).isEqualTo(12);
  }

  @Test
  void deleteCleansUpAnOrphanWhenTheStoredKeyIsPresented() {
    assertThat(api.create("guest", "t", webhook()).status()).isEqualTo(200);
    openwhisk.deleteTrigger("guest", "t");
    assertError(api.as("23bc46b1-71f6-4ed5-8c54-816aa4f8c502:wrong").delete("guest", "t"), 401,
        "Trigger authentication request failed.");
    assertThat(api.delete("guest", "t").status()).isEqualTo(200);
    assertThat(db.queryLong("SELECT count(*) FROM whiskfeed.feeds")).isZero();
  }

  @Test
  void createTwiceReplacesInPlace() {
    JsonObject first = api.create("guest", "t", webhook().put("maxRetries", 1)).json();
    long id = db.queryLong("SELECT id FROM whiskfeed.feeds");
    assertThat(api.event("guest", "t", new JsonObject().put("n", 1)).status()).isEqualTo(202);
    api.pause("guest", "t");
    JsonObject second = api.create("guest", "t", webhook().put("maxRetries", 2)).json();
    assertThat(second.getJsonObject("feed").getJsonObject("config").getInteger("maxRetries")).isEqualTo(2);
    assertThat(second.getJsonObject("feed").getJsonObject("status").getString("state")).isEqualTo("active");
    assertThat(first).isNotEqualTo(second);
    assertThat(db.queryLong("SELECT count(*) FROM whiskfeed.feeds")).isEqualTo(1);
    assertThat(db.queryLong("SELECT id FROM whiskfeed.feeds")).isEqualTo(id);
    assertThat(db.queryLong("SELECT count(*) FROM whiskfeed.events WHERE feed_id = ?", id)).isEqualTo(1);
  }

  @Test
  void concurrentCreatesOfOneTriggerLeaveExactlyOneFeed() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(20);
    try {
      List<Future<Api.Response>> answers = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        int n = i;
        answers.add(pool.submit(() -> api.create("guest", "race", webhook().put("maxRetries", n))));
      }
      for (Future<Api.Response> f : answers) assertThat(f.get().status()).isEqualTo(200);
    } finally {
      pool.shutdown();
    }
    assertThat(db.queryLong("SELECT count(*) FROM whiskfeed.feeds WHERE trigger = 'race'")).isEqualTo(1);
  }

  @Test
  void concurrentCreatesOfChangesFeedsNeverWaitForASecondPooledConnection() throws Exception {
    // a lifecycle call holds one control connection; its checks must not need another
    provider.close();
    provider = TestProvider.start(db, openwhisk.url(), java.util.Map.of("WHISKFEED_DB_POOL_SIZE", "2"));
    Api small = new Api(provider.port(), KEY);
    for (int i = 0; i < 8; i++) db.execute("CREATE TABLE public.c" + i + " (id int PRIMARY KEY)");
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Api.Response>> answers = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        JsonObject body = new JsonObject().put("kind", "changes").put("table", "public.c" + i);
        String trigger = "c" + i;
        answers.add(pool.submit(() -> small.create("guest", trigger, body)));
      }
      for (Future<Api.Response> f : answers) {
        assertThat(f.get(20, java.util.concurrent.TimeUnit.SECONDS).status()).isEqualTo(200);
      }
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void aRestartKeepsFeeds() throws Exception {
    api.create("guest", "keep", webhook().put("maxTriggers", 7));
    api.pause("guest", "keep");
    JsonObject before = api.read("guest", "keep").json();
    provider.close();
    provider = TestProvider.start(db, openwhisk.url());
    JsonObject after = new Api(provider.port(), KEY).read("guest", "keep").json();
    assertThat(after).isEqualTo(before);
  }

  @Test
  void authKeysAreStoredSealed() {
    api.create("guest", "t", webhook());
    String stored = db.query("SELECT auth_key FROM whiskfeed.feeds").get(0).get("auth_key").toString();
    assertThat(stored).startsWith("v1:").doesNotContain("123zO3xZ").doesNotContain("23bc46b1");
    assertThat(api.read("guest", "t").body()).doesNotContain("123zO3xZ");
  }

  @Test
  void withoutVerificationOnlyTheStoredKeyMayTouchAFeed(TestPostgres pg) throws Exception {
    provider.close();
    provider = TestProvider.start(db, openwhisk.url(), java.util.Map.of("WHISKFEED_VERIFY_TRIGGERS", "false"));
    Api local = new Api(provider.port(), KEY);
    assertThat(local.create("guest", "t", webhook()).status()).isEqualTo(200);
    assertError(local.as(OTHER_KEY).read("guest", "t"), 401, "does not match");
    assertError(local.as(OTHER_KEY).delete("guest", "t"), 401, "does not match");
    assertThat(local.read("guest", "t").status()).isEqualTo(200);
  }

  static void assertError(Api.Response r, int status, String messagePart) {
    assertThat(r.status()).as(r.body()).isEqualTo(status);
    JsonObject body = r.json();
    assertThat(body.getString("error")).contains(messagePart);
    assertThat(body.getString("code")).isNotBlank();
    assertThat(r.body()).doesNotContain("Exception").doesNotContain("\tat ");
  }
}
