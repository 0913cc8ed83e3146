package dev.whiskfeed.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.whiskfeed.app.Provider;
import dev.whiskfeed.testing.PgExtension;
import dev.whiskfeed.testing.TestDatabase;
import dev.whiskfeed.testing.TestPostgres;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 9, isolation: namespace A's key never reaches namespace B's feeds or events, even with B's
 * trigger names and event ids in hand; a hook token reaches only its own feed; the admin API wants
 * its exact token; and the database alone does not give away authKeys, secrets or database URLs.
 */
@ExtendWith(PgExtension.class)
@Timeout(120)
class IsolationIT extends WithStandInOpenWhisk {
  static final String KEY_A = "aaaaaaaa-1111-4ed5-8c54-816aa4f8c502:keyOfNamespaceA0123456789abcdef";
  static final String KEY_B = "bbbbbbbb-2222-4ed5-8c54-816aa4f8c502:keyOfNamespaceB0123456789abcdef";
  static final String HOOK_SECRET = "hookSecretOfB-9dK2mX";
  static final String DB_PASSWORD = "sourcePasswordOfB-Qw7Zr";

  TestDatabase db;
  Provider provider;
  Api a;
  Api b;

  @BeforeEach
  void start(TestPostgres pg) {
    openwhisk.reset();
    openwhisk.registerKey("nsa", KEY_A);
    openwhisk.registerKey("nsb", KEY_B);
    db = pg.newDatabase("isolation");
    db.execute("CREATE TABLE public.orders (id int PRIMARY KEY)");
    start(Map.of());
  }

  private void start(Map<String, String> env) {
    Map<String, String> all = new java.util.HashMap<>(env);
    all.put("WHISKFEED_ADMIN_TOKEN", TestProvider.ADMIN_TOKEN);
    provider = TestProvider.start(db, openwhisk.url(), all);
    a = new Api(provider.port(), KEY_A);
    b = new Api(provider.port(), KEY_B);
  }

  @AfterEach
  void stop() throws Exception {
    if (provider != null) provider.close();
  }

  /** B's webhook feed with one delivered event; its id. */
  private String feedOfBWithADeliveredEvent() {
    ok(b.create("nsb", "orders", new JsonObject().put("kind", "webhook").put("secret", HOOK_SECRET)));
    ok(a.create("nsa", "mine", new JsonObject().put("kind", "webhook")));
    String eventId = b.event("nsb", "orders", new JsonObject().put("n", 1)).json().getString("eventId");
    await().atMost(Duration.ofSeconds(10)).until(() ->
        db.queryLong("SELECT count(*) FROM whiskfeed.event_status WHERE state = 'delivered'") == 1);
    return eventId;
  }

  @Test
  void aSourceOpenToOneNamespaceIsClosedToAnother() throws Exception {
    provider.close();
    start(Map.of("WHISKFEED_SOURCES", "shared=" + db.url(), "WHISKFEED_SOURCE_NAMESPACES", "control=nsa;shared=nsa"));
    JsonObject onControl = new JsonObject().put("kind", "changes").put("table", "public.orders").put("capture", "trigger");
    JsonObject onSource = onControl.copy().put("source", "shared");
    for (JsonObject params : List.of(onControl, onSource)) {
      Api.Response denied = b.create("nsb", "orders", params);
      assertThat(denied.status()).as(denied.body()).isEqualTo(403);
      assertThat(denied.json().getString("code")).isEqualTo("source_forbidden");
      assertThat(denied.body()).doesNotContain("nsa");
    }
    assertThat(db.queryLong("SELECT count(*) FROM whiskfeed.feeds")).isZero();
    ok(a.create("nsa", "orders", onSource));
  }

  @Test
  void theFeedQuotaCountsEachNamespaceApart() throws Exception {
    provider.close();
    start(Map.of("WHISKFEED_MAX_FEEDS_PER_NAMESPACE", "1"));
    ok(a.create("nsa", "one", new JsonObject().put("kind", "webhook")));
    Api.Response over = a.create("nsa", "two", new JsonObject().put("kind", "webhook"));
    assertThat(over.status()).isEqualTo(403);
    assertThat(over.json().getString("code")).isEqualTo("quota_exceeded");
    ok(b.create("nsb", "one", new JsonObject().put("kind", "webhook")));
  }

  @Test
  void aKeyOfNamespaceAOpensNothingOfNamespaceB() {
    String eventId = feedOfBWithADeliveredEvent();
    String before = feedsAndEvents();
    int fires = openwhisk.fireCount();
    Map<String, Api.Response> answers = new java.util.LinkedHashMap<>();
    answers.put("READ", a.read("nsb", "orders"));
    answers.put("UPDATE", a.update("nsb", "orders", new JsonObject().put("maxRetries", 0)));
    answers.put("CREATE over", a.create("nsb", "orders", new JsonObject().put("kind", "webhook")));
    answers.put("PAUSE", a.pause("nsb", "orders"));
    answers.put("UNPAUSE", a.unpause("nsb", "orders"));
    answers.put("list events", a.events("nsb", "orders", null));
    answers.put("list dead events", a.events("nsb", "orders", "state=delivered"));
    answers.put("manual event", a.event("nsb", "orders", new JsonObject().put("forged", true)));
    answers.put("redeliver", a.redeliver("nsb", "orders", eventId));
    answers.put("DELETE", a.delete("nsb", "orders"));
    answers.put("the admin API", a.send("GET", "/api/v1/admin/feeds/nsb/orders", null));
    answers.put("admin redeliver", a.send("POST", "/api/v1/admin/events/redeliver", "{\"feed\":\"/nsb/orders\"}"));
    answers.forEach((what, r) -> {
      assertThat(r.status()).as(what + ": " + r.body()).isIn(401, 403);
      assertThat(r.body()).as(what).doesNotContain(eventId).doesNotContain("hookUrl").doesNotContain("orders\"");
    });
    // B's event id, presented through A's own feed, is no event of A's
    Api.Response viaOwn = a.redeliver("nsa", "mine", eventId);
    assertThat(viaOwn.status()).as(viaOwn.body()).isEqualTo(404);
    assertThat(a.events("nsa", "mine", null).json().getJsonArray("events")).isEmpty();
    assertThat(feedsAndEvents()).isEqualTo(before);
    assertThat(openwhisk.fireCount()).isEqualTo(fires);
    assertThat(b.read("nsb", "orders").status()).isEqualTo(200);
  }

  @Test
  void withoutVerificationAKeyOtherThanTheStoredOneIsRefusedEvenForCreate() throws Exception {
    provider.close();
    start(Map.of("WHISKFEED_VERIFY_TRIGGERS", "false"));
    String eventId = feedOfBWithADeliveredEvent();
    String before = feedsAndEvents();
    for (Api.Response r : List.of(a.create("nsb", "orders", new JsonObject().put("kind", "webhook")),
        a.create("nsb", "orders", new JsonObject().put("kind", "alarm").put("cron", "* * * * *")),
        a.read("nsb", "orders"), a.update("nsb", "orders", new JsonObject().put("maxRetries", 0)),
        a.pause("nsb", "orders"), a.unpause("nsb", "orders"), a.events("nsb", "orders", null),
        a.event("nsb", "orders", new JsonObject()), a.redeliver("nsb", "orders", eventId), a.delete("nsb", "orders"))) {
      assertThat(r.status()).as(r.body()).isEqualTo(401);
      assertThat(r.json().getString("code")).isEqualTo("unauthorized");
    }
    // the stored key is B's: B's hook URL, secret and key survive
    assertThat(feedsAndEvents()).isEqualTo(before);
    assertThat(b.read("nsb", "orders").json().getJsonObject("config").getString("secret")).isEqualTo("set");
    assertThat(b.create("nsb", "orders", new JsonObject().put("kind", "webhook")).status()).isEqualTo(200);
  }

  @Test
  void aHookTokenReachesOnlyItsOwnFeed() {
    ok(a.create("nsa", "hookA", new JsonObject().put("kind", "webhook")));
    ok(b.create("nsb", "hookB", new JsonObject().put("kind", "webhook")));
    String urlA = a.read("nsa", "hookA").json().getJsonObject("config").getString("hookUrl");
    String urlB = b.read("nsb", "hookB").json().getJsonObject("config").getString("hookUrl");
    assertThat(HookClient.token(urlA)).isNotEqualTo(HookClient.token(urlB));
    HookClient hooks = new HookClient(provider.port());
    for (int i = 0; i < 3; i++) {
      assertThat(hooks.post(HookClient.path(urlA), "{\"to\":\"A\"}", HookClient.headers("Content-Type",
          "application/json")).status()).isEqualTo(202);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> openwhisk.fires("nsa", "hookA").size() == 3);
    assertThat(openwhisk.fires("nsb", "hookB")).isEmpty();
    long idA = db.queryLong("SELECT id FROM whiskfeed.feeds WHERE trigger = 'hookA'");
    assertThat(db.queryLong("SELECT count(*) FROM whiskfeed.events WHERE feed_id <> ?", idA)).isZero();
    // fired with A's key only
    openwhisk.fires("nsa", "hookA").forEach(f -> assertThat(f.toString()).doesNotContain(
        Base64.getEncoder().encodeToString(KEY_B.getBytes(StandardCharsets.UTF_8))));

    // a rotated URL reaches nothing, not even the feed it used to reach
    String rotated = a.update("nsa", "hookA", new JsonObject().put("rotateHook", true)).json().getJsonObject("feed")
        .getJsonObject("config").getString("hookUrl");
    assertThat(rotated).isNotEqualTo(urlA);
    assertThat(hooks.post(HookClient.path(urlA), "{}", Map.of()).status()).isEqualTo(404);
    // a token one character away from a real one reaches nothing
    String near = HookClient.token(urlB);
    near = near.substring(0, near.length() - 1) + (near.endsWith("A") ? "B" : "A");
    assertThat(hooks.post("/hooks/" + near, "{}", Map.of()).status()).isEqualTo(404);
    assertThat(db.queryLong("SELECT count(*) FROM whiskfeed.events WHERE feed_id <> ?", idA)).isZero();
  }

  @Test
  void theAdminApiWantsItsExactToken() {
    String token = TestProvider.ADMIN_TOKEN;
    List<String> wrong = List.of("", " ", token.substring(0, token.length() - 1), token + "x",
        token.substring(0, token.length() - 1) + (char) (token.charAt(token.length() - 1) + 1), token.toUpperCase(),
        "x" + token.substring(1), token.repeat(2), KEY_A);
    for (String path : List.of("GET /api/v1/admin/feeds", "GET /api/v1/admin/stores",
        "POST /api/v1/admin/feeds/nsb/orders/disable")) {
      String[] mp = path.split(" ");
      for (String bearer : wrong) {
        Api.Response r = Ops.send(provider.port(), mp[0], mp[1], bearer.isEmpty() ? null : bearer,
            mp[0].equals("POST") ? new JsonObject() : null);
        assertThat(r.status()).as(path + " with '" + bearer + "'").isEqualTo(401);
        assertThat(r.json().getString("code")).isEqualTo("unauthorized");
      }
      // the token under another scheme, or in the query string, is no token
      Api.Response basic = new Api(provider.port(), "admin:" + token).send(mp[0], mp[1], mp[0].equals("POST") ? "{}" : null);
      assertThat(basic.status()).isEqualTo(401);
      assertThat(Ops.send(provider.port(), mp[0], mp[1] + "?token=" + token + "&access_token=" + token, null,
          null).status()).isEqualTo(401);
    }
    assertThat(Ops.get(provider.port(), "/api/v1/admin/feeds", token).status()).isEqualTo(200);
  }

  @Test
  void authKeysSecretsAndDatabaseUrlsAreUnreadableInTheDatabase(TestPostgres pg) {
    TestDatabase source = pg.newDatabase("isolationsource");
    source.createRole("isolation_app", DB_PASSWORD);
    source.execute("ALTER ROLE isolation_app SUPERUSER");
    source.execute("CREATE TABLE public.orders (id int PRIMARY KEY)");
    String sourceUrl = source.as("isolation_app", DB_PASSWORD).url();
    ok(b.create("nsb", "hook", new JsonObject().put("kind", "webhook").put("secret", HOOK_SECRET)));
    ok(b.create("nsb", "orders", new JsonObject().put("kind", "changes").put("table", "public.orders")
        .put("database", sourceUrl).put("capture", "trigger")));
    ok(a.create("nsa", "alarm", new JsonObject().put("kind", "alarm").put("cron", "0 0 1 1 *")));
    b.event("nsb", "hook", new JsonObject());

    String everything = String.join("\n",
        db.query("SELECT f::text FROM whiskfeed.feeds f").toString(),
        db.query("SELECT e::text FROM whiskfeed.events e").toString(),
        db.query("SELECT s::text FROM whiskfeed.alarm_schedules s").toString(),
        source.query("SELECT e::text FROM whiskfeed.events e").toString());
    assertThat(everything).contains("nsb", "orders");
    for (String plain : List.of(KEY_A, KEY_B, KEY_A.split(":")[1], KEY_B.split(":")[1], KEY_B.split(":")[0],
        base64(KEY_A), base64(KEY_B), HOOK_SECRET, base64(HOOK_SECRET), DB_PASSWORD, sourceUrl)) {
      assertThat(everything).as("the control database holds " + plain).doesNotContain(plain);
    }
    // the sealed columns are ciphertexts, different for equal plaintexts
    List<Map<String, Object>> keys = db.query("SELECT auth_key, secrets::text AS secrets FROM whiskfeed.feeds");
    assertThat(keys).allSatisfy(row -> assertThat(row.get("auth_key").toString()).startsWith("v1:"));
    assertThat(keys.stream().map(row -> row.get("auth_key")).distinct()).hasSize(3);
    // and READ masks the URL
    assertThat(b.read("nsb", "orders").json().getJsonObject("config").getString("database"))
        .doesNotContain(DB_PASSWORD).contains("***");
  }

  private static String base64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private String feedsAndEvents() {
    return db.query("SELECT id, namespace, trigger, config::text, secrets::text, auth_key, state, version, hook_token_hash, hook_token_sealed "
        + "FROM whiskfeed.feeds ORDER BY id") + "\n" + db.query("SELECT id, feed_id, payload::text, state, attempts, "
        + "next_attempt_at, delivered_at FROM whiskfeed.event_status ORDER BY seq");
  }

  private static void ok(Api.Response r) {
    assertThat(r.status()).as(r.body()).isEqualTo(200);
  }
}
