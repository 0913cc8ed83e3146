package dev.whiskfeed.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whiskfeed.app.Provider;
import dev.whiskfeed.testing.PgExtension;
import dev.whiskfeed.testing.StandInOpenWhisk;
import dev.whiskfeed.testing.TestDatabase;
import dev.whiskfeed.testing.TestPostgres;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 9, hostile input: every REST endpoint and the hook endpoint, fed what a careless or
 * malicious client sends, answers a 4xx JSON error of API.md's shape, shows no stack trace, and
 * leaves every feed, event, schedule and capture trigger exactly as it was (checked in the database).
 */
@ExtendWith(PgExtension.class)
@Timeout(120)
class HostileInputIT {
  static final String KEY = "23bc46b1-71f6-4ed5-8c54-816aa4f8c502:hostileInputKey0123456789";
  static final String TOKEN = TestProvider.ADMIN_TOKEN;
  /** Strings that would do harm if anything spliced them into SQL, or that a catalog lookup must survive. */
  static final List<String> SQL_STRINGS = List.of("'; DROP TABLE whiskfeed.feeds; --", "\"; DROP SCHEMA whiskfeed CASCADE; --",
      "public.\"orders\"\"; DROP TABLE public.sentinel; --\"", "x' OR '1'='1", "$1", "$$; SELECT pg_sleep(5); $$",
      "\"whiskfeed\".\"feeds\"", "pg_catalog.pg_class", "a\\'b", "%s%n", "../../etc/passwd", "ḟëëd", "\u202Eevil");

  static Vertx vertx;
  static StandInOpenWhisk openwhisk;
  static TestDatabase db;
  static Provider provider;
  static Api api;
  static RawHttp raw;
  static String hookToken;
  static java.sql.Connection snapshots;

  @BeforeAll
  static void start(TestPostgres pg) {
    vertx = Vertx.vertx();
    openwhisk = StandInOpenWhisk.start(vertx);
    openwhisk.registerKey("guest", KEY);
    db = pg.newDatabase("hostile");
    db.execute("CREATE TABLE public.orders (id int PRIMARY KEY, total numeric); CREATE TABLE public.sentinel (id int)");
    provider = TestProvider.start(db, openwhisk.url(), Map.of("WHISKFEED_ADMIN_TOKEN", TOKEN));
    try {
      snapshots = db.connect();
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
    api = new Api(provider.port(), KEY);
    raw = new RawHttp(provider.port());
    created("hook", new JsonObject().put("kind", "webhook").put("secret", "s3cret"));
    created("alarm", new JsonObject().put("kind", "alarm").put("date", "2099-01-01T00:00:00Z"));
    created("changes", new JsonObject().put("kind", "changes").put("table", "public.orders").put("events", "INSERT"));
    hookToken = HookClient.token(api.read("guest", "hook").json().getJsonObject("config").getString("hookUrl"));
    for (String t : List.of("hook", "alarm", "changes")) {
      // paused: the events wait, so nothing but a hostile request could change them
      assertThat(api.pause("guest", t).status()).isEqualTo(200);
      assertThat(api.event("guest", t, new JsonObject().put("n", 1)).status()).isEqualTo(202);
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (snapshots != null) snapshots.close();
    if (provider != null) provider.close();
    openwhisk.close();
    vertx.close();
  }

  String before;

  @BeforeEach
  void snapshot() {
    before = stored();
  }

  private static void created(String trigger, JsonObject body) {
    Api.Response r = api.create("guest", trigger, body);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
  }

  // ---- bodies

  static final Map<String, byte[]> BAD_BODIES = badBodies();

  private static Map<String, byte[]> badBodies() {
    Map<String, byte[]> b = new LinkedHashMap<>();
    b.put("truncated", utf8("{\"kind\":"));
    b.put("not JSON", utf8("kind=webhook"));
    b.put("an array", utf8("[{\"kind\":\"webhook\"}]"));
    b.put("a string", utf8("\"webhook\""));
    b.put("a number", utf8("42"));
    b.put("null", utf8("null"));
    b.put("two objects", utf8("{\"kind\":\"webhook\"} {\"kind\":\"alarm\"}"));
    b.put("trailing garbage", utf8("{\"kind\":\"webhook\"} x"));
    b.put("single quotes", utf8("{'kind':'webhook'}"));
    b.put("comments", utf8("{\"kind\":\"webhook\" /* hi */}"));
    b.put("NaN", utf8("{\"kind\":\"webhook\",\"maxRetries\":NaN}"));
    b.put("duplicate keys", utf8("{\"kind\":\"webhook\",\"message\":\"a\",\"message\":\"b\",\"kind\":\"alarm\"}"));
    b.put("nested duplicate keys", utf8("{\"kind\":\"webhook\",\"x\":{\"a\":1,\"a\":2}}"));
    b.put("nesting 100 deep", utf8("{\"kind\":\"webhook\",\"x\":" + "[".repeat(100) + "]".repeat(100) + "}"));
    b.put("nesting 100000 deep", utf8("{\"x\":" + "{\"a\":".repeat(100_000) + "1" + "}".repeat(100_000) + "}"));
    b.put("a 100000-digit number", utf8("{\"kind\":\"webhook\",\"maxRetries\":" + "9".repeat(100_000) + "}"));
    b.put("10 MB", utf8("{\"kind\":\"webhook\",\"message\":\"" + "a".repeat(10 * 1024 * 1024) + "\"}"));
    b.put("invalid UTF-8 byte", bytes("{\"kind\":\"webhook\",\"message\":\"", new byte[] {(byte) 0xFF}, "\"}"));
    b.put("UTF-8 continuation alone", bytes("{\"kind\":\"webhook\",\"message\":\"", new byte[] {(byte) 0x80}, "\"}"));
    b.put("overlong UTF-8 '/'", bytes("{\"kind\":\"webhook\",\"message\":\"", new byte[] {(byte) 0xC0, (byte) 0xAF}, "\"}"));
    b.put("overlong UTF-8 NUL", bytes("{\"kind\":\"webhook\",\"message\":\"", new byte[] {(byte) 0xC0, (byte) 0x80}, "\"}"));
    b.put("UTF-8 encoded surrogate", bytes("{\"kind\":\"webhook\",\"message\":\"",
        new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, "\"}"));
    b.put("UTF-8 past U+10FFFF", bytes("{\"kind\":\"webhook\",\"message\":\"",
        new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, "\"}"));
    b.put("truncated UTF-8", bytes("{\"kind\":\"webhook\",\"message\":\"", new byte[] {(byte) 0xE2, (byte) 0x82}, "\"}"));
    b.put("invalid UTF-8 in a key", bytes("{\"kind\":\"webhook\",\"", new byte[] {(byte) 0xFE}, "\":1}"));
    b.put("Latin-1 text", bytes("{\"kind\":\"webhook\",\"message\":\"caf", new byte[] {(byte) 0xE9}, "\"}"));
    b.put("UTF-16", "{\"kind\":\"webhook\"}".getBytes(StandardCharsets.UTF_16));
    b.put("escaped NUL", utf8("{\"kind\":\"webhook\",\"message\":\"a\\u0000b\",\"x\":\"\\u0000\"}"));
    b.put("escaped NUL in a key", utf8("{\"kind\":\"webhook\",\"a\\u0000\":1}"));
    b.put("lone surrogate", utf8("{\"kind\":\"webhook\",\"message\":\"\\ud800\",\"x\":\"\\udfff\"}"));
    return b;
  }

  /** Every endpoint that reads a JSON body, as {@code METHOD path auth} (auth: basic or bearer). */
  static final List<String[]> BODY_ENDPOINTS = List.of(
      new String[] {"POST", "/api/v1/feeds/guest/fresh", "basic"},
      new String[] {"POST", "/api/v1/feeds/guest/hook", "basic"},
      new String[] {"PUT", "/api/v1/feeds/guest/hook", "basic"},
      new String[] {"PUT", "/api/v1/feeds/guest/alarm", "basic"},
      new String[] {"PUT", "/api/v1/feeds/guest/changes", "basic"},
      new String[] {"POST", "/api/v1/feeds/guest/hook/events", "basic"},
      new String[] {"POST", "/api/v1/admin/feeds/guest/hook/disable", "bearer"},
      new String[] {"POST", "/api/v1/admin/events/redeliver", "bearer"});

  @Test
  void malformedBodiesAreRefusedByEveryJsonEndpoint() {
    int checked = 0;
    for (String[] endpoint : BODY_ENDPOINTS) {
      for (Map.Entry<String, byte[]> body : BAD_BODIES.entrySet()) {
        Api.Response r = raw.send(endpoint[0], endpoint[1], auth(endpoint[2]) + "\r\nContent-Type: application/json",
            body.getValue());
        assertRefused(r, endpoint[0] + " " + endpoint[1] + " with " + body.getKey());
        checked++;
      }
    }
    assertThat(checked).isEqualTo(BODY_ENDPOINTS.size() * BAD_BODIES.size());
    assertUnchanged();
  }

  @Test
  void bodiesThatAreNotDeclaredJsonAre415() {
    for (String[] endpoint : BODY_ENDPOINTS) {
      for (String type : List.of("text/plain", "application/x-www-form-urlencoded", "application/xml", "multipart/form-data; boundary=x")) {
        Api.Response r = raw.send(endpoint[0], endpoint[1], auth(endpoint[2]) + "\r\nContent-Type: " + type,
            utf8("{\"kind\":\"webhook\",\"message\":\"m\",\"feed\":\"/guest/hook\"}"));
        assertRefused(r, endpoint[0] + " " + endpoint[1] + " as " + type);
        assertThat(r.status()).isEqualTo(415);
      }
    }
    assertUnchanged();
  }

  // ---- parameters

  /** Values of every JSON type, huge numbers and SQL, in raw JSON. */
  static final List<String> HOSTILE_VALUES = hostileValues();

  private static List<String> hostileValues() {
    List<String> v = new ArrayList<>(List.of("1e999999", "123456789012345678901234567890", "-2", "0.5", "true",
        "{\"$gt\":\"\"}", "\"" + "x".repeat(5000) + "\""));
    for (String s : List.of(SQL_STRINGS.get(0), SQL_STRINGS.get(2), SQL_STRINGS.get(6))) {
      v.add(new JsonObject().put("v", s).encode().replaceFirst("^\\{\"v\":", "").replaceFirst("}$", ""));
    }
    return v;
  }

  static final Map<String, List<String>> PARAMETERS = Map.of(
      "webhook", List.of("maxTriggers", "maxRetries", "retryIntervalSec", "timeoutSec", "batchSize", "batchMaxBytes",
          "ordered", "secret", "maxBodyBytes", "rateLimitPerSec"),
      "alarm", List.of("cron", "minutes", "date", "timezone", "startDate", "stopDate", "trigger_payload",
          "deleteAfterFire", "catchUp", "spreadSec"),
      "changes", List.of("table", "events", "columns", "payloadColumns", "source", "database", "mode",
          "pollIntervalSec"));

  /** A valid CREATE body of {@code kind} without {@code name}, open for one more member. */
  static String base(String kind, String name) {
    return switch (kind) {
      case "alarm" -> List.of("cron", "minutes", "date").contains(name) ? "{\"kind\":\"alarm\""
          : "{\"kind\":\"alarm\",\"cron\":\"0 0 1 1 *\"";
      case "changes" -> name.equals("table") ? "{\"kind\":\"changes\"" : "{\"kind\":\"changes\",\"table\":\"public.orders\"";
      default -> "{\"kind\":\"webhook\"";
    };
  }

  @Test
  void hostileParameterValuesOnCreateAreRefusedOrStoredFaithfully() {
    int refused = 0;
    int accepted = 0;
    for (Map.Entry<String, List<String>> kind : PARAMETERS.entrySet()) {
      for (String name : kind.getValue()) {
        for (String value : HOSTILE_VALUES) {
          String body = base(kind.getKey(), name) + ",\"" + name + "\":" + value + "}";
          Api.Response r = api.send("POST", Api.feed("guest", "victim"), body);
          String what = "CREATE " + kind.getKey() + " with " + name + "=" + RawHttp.abbreviate(value);
          assertThat(r.status()).as(what + ": " + r.body()).isIn(200, 400, 403);
          if (r.status() == 200) {
            accepted++;
            assertThat(api.delete("guest", "victim").status()).as(what).isEqualTo(200);
          } else {
            refused++;
            assertRefused(r, what);
          }
          assertThat(stored()).as(what).isEqualTo(before);
        }
      }
    }
    assertThat(refused).isGreaterThan(accepted);
    assertUnchanged();
  }

  @Test
  void hostileParameterValuesOnUpdateAreRefusedAndChangeNothing() {
    List<String> accepted = new ArrayList<>();
    List<String> unexpected = new ArrayList<>();
    for (Map.Entry<String, List<String>> kind : PARAMETERS.entrySet()) {
      String trigger = kind.getKey().equals("webhook") ? "hook" : kind.getKey();
      for (String name : kind.getValue()) {
        for (String value : HOSTILE_VALUES) {
          String what = "UPDATE " + trigger + " with " + name + "=" + RawHttp.abbreviate(value);
          Api.Response r = api.send("PUT", Api.feed("guest", trigger), "{\"" + name + "\":" + value + "}");
          if (r.status() == 200) {
            // a value that is valid for the parameter (a secret may be any string): kept as sent
            accepted.add(what);
            assertThat(r.json().getString("status")).isEqualTo("success");
            if (!FREE_FORM.contains(name)) unexpected.add(what);
            before = stored();
          } else {
            assertRefused(r, what);
            assertThat(stored()).as(what).isEqualTo(before);
          }
        }
      }
    }
    System.out.println("UPDATE accepted " + accepted.size() + ": " + accepted);
    assertThat(unexpected).isEmpty();
    assertThat(api.update("guest", "hook", new JsonObject().put("secret", "s3cret")).status()).isEqualTo(200);
    before = stored();
    assertUnchanged();
  }

  /**
   * Parameters for which some of the hostile values are valid: any string is a secret, any object a
   * payload; a once-alarm ignores startDate and stopDate whatever they hold, as the OpenWhisk alarms
   * package does (AlarmSpecTest.onceIgnoresStartAndStop).
   */
  static final List<String> FREE_FORM = List.of("secret", "trigger_payload", "deleteAfterFire", "minutes", "startDate",
      "stopDate", "catchUp", "ordered", "columns",
      "payloadColumns", "source", "database");

  @Test
  void whiskfeedsOwnTablesAndPostgresCatalogsCannotBeCaptured() {
    List<String> tables = List.of("whiskfeed.events", "whiskfeed.feeds", "WHISKFEED.EVENTS", "\"whiskfeed\".\"alarm_schedules\"",
        "pg_catalog.pg_class", "pg_catalog.pg_authid", "information_schema.sql_features", "pg_toast.pg_toast_1255");
    for (String table : tables) {
      Api.Response created = api.create("guest", "victim", new JsonObject().put("kind", "changes").put("table", table));
      assertRefused(created, "CREATE on " + table);
      assertThat(created.status()).as(table).isEqualTo(400);
      assertThat(created.error()).as(table).containsAnyOf("cannot be captured", "does not exist");
      Api.Response updated = api.update("guest", "changes", new JsonObject().put("table", table));
      assertRefused(updated, "UPDATE to " + table);
      assertThat(updated.status()).as(table).isEqualTo(400);
    }
    assertThat(api.create("guest", "victim", new JsonObject().put("kind", "changes").put("table", "whiskfeed.events"))
        .error()).isEqualTo("table whiskfeed.events cannot be captured: schema whiskfeed belongs to whiskfeed");
    assertThat(db.queryLong("SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        + "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE NOT t.tgisinternal AND n.nspname <> 'public' "
        + "AND t.tgname LIKE 'whiskfeed\\_%'")).as("capture triggers outside public").isZero();
    assertUnchanged();
  }

  // ---- paths and query strings

  static final List<String> HOSTILE_SEGMENTS = List.of("..", "%2e%2e", "..%2F..%2Fadmin", "%2E%2E%2F%2E%2E%2Fother",
      "hook%2Fpause", "hook%00", "%00", "%zz", "%", "%C0%AE%C0%AE", "%FF%FE", "'%3B%20DROP%20TABLE%20whiskfeed.feeds%3B--",
      "%22hook%22", "hook'--", "hook%20OR%201%3D1", "_", "-", "x".repeat(300), "%E2%80%AE", "hook%0D%0AX-Injected:%201",
      "hook;x=1", "hook%5C..%5C", "~root", "%2F", "*");

  /**
   * The provider allows localhost and 127.0.0.1 (TestProvider): spellings of other hosts, of
   * loopback in disguise, and URLs that move the connection through their query reach nothing,
   * and a refused or failed connection tells nothing about the network.
   */
  @Test
  void hostileDatabaseUrlsReachNoForbiddenHost() {
    List<String> urls = List.of(
        "postgresql://u:p@127.0.0.2:5432/db",
        "postgresql://u:p@2130706433:5432/db",
        "postgresql://u:p@0x7f000001:5432/db",
        "postgresql://u:p@[::1]:5432/db",
        "postgresql://u:p@localhost.evil.example:5432/db",
        "postgresql://u:p@169.254.169.254:80/db",
        "postgresql://u:p@localhost:5432/db?host=10.0.0.1",
        "postgresql://u:p@localhost:5432/db?hostaddr=169.254.169.254",
        "postgresql://u:p@localhost:5432/db?port=22",
        "postgresql://u:p@LOCALHOST.:1/db");
    for (String url : urls) {
      Api.Response r = api.create("guest", "hostiledb", new JsonObject().put("kind", "changes")
          .put("table", "public.orders").put("database", url).put("capture", "trigger"));
      assertRefused(r, url);
      assertThat(r.body()).as(url).doesNotContain("refused").doesNotContain("timed out").doesNotContain("UnknownHost");
      assertUnchanged();
    }
  }

  @Test
  void hostilePathSegmentsAreRefusedEverywhere() {
    List<String> templates = List.of("GET /api/v1/feeds/guest/{}", "POST /api/v1/feeds/guest/{}",
        "PUT /api/v1/feeds/guest/{}", "DELETE /api/v1/feeds/guest/{}", "POST /api/v1/feeds/guest/{}/pause",
        "POST /api/v1/feeds/guest/{}/unpause", "GET /api/v1/feeds/guest/{}/events", "POST /api/v1/feeds/guest/{}/events",
        "POST /api/v1/feeds/guest/hook/events/{}/redeliver", "POST /api/v1/feeds/guest/{}/events/{}/redeliver",
        "GET /api/v1/feeds/{}/hook", "DELETE /api/v1/feeds/{}/hook", "POST /api/v1/feeds/{}/{}/pause",
        "GET /api/v1/admin/feeds/guest/{}", "POST /api/v1/admin/feeds/{}/hook/disable",
        "POST /api/v1/admin/feeds/guest/{}/enable", "POST /hooks/{}", "POST /hooks/" + hookToken + "/{}",
        "GET /api/v1/feeds/guest/hook/../../admin/feeds", "GET /api/v1/feeds/guest/hook/%2e%2e/%2e%2e/admin/feeds",
        "POST /hooks/../api/v1/feeds/guest/hook/pause", "POST /hooks/%2e%2e/api/v1/admin/feeds/guest/hook/disable",
        "POST /hooks/%2e%2e%2fapi%2fv1%2fadmin%2ffeeds");
    int checked = 0;
    for (String template : templates) {
      for (String segment : template.contains("{}") ? HOSTILE_SEGMENTS : List.of("")) {
        String[] mp = template.replace("{}", segment).split(" ", 2);
        // a hook URL carries no credentials: a path that climbs out of /hooks must not gain any
        String auth = mp[1].startsWith("/hooks") ? "X-Hook: 1" : mp[1].startsWith("/api/v1/admin") ? auth("bearer")
            : auth("basic");
        byte[] body = mp[0].equals("GET") || mp[0].equals("DELETE") ? null
            : utf8("{\"kind\":\"webhook\",\"maxRetries\":1,\"message\":\"x\"}");
        Api.Response r = raw.send(mp[0], mp[1], auth + (body == null ? "" : "\r\nContent-Type: application/json"), body);
        if (r.status() == 200 && mp[0].equals("GET") && (segment.equals("..") || segment.equals("%2e%2e"))) {
          // a dot-segment is resolved (RFC 3986 5.2.4) before routing: this was a GET of another path the
          // credentials open anyway
          assertThat(r.json().containsKey("error")).isFalse();
        } else {
          assertRefused(r, mp[0] + " " + RawHttp.abbreviate(mp[1]));
        }
        assertThat(stored()).as(mp[0] + " " + mp[1]).isEqualTo(before);
        checked++;
      }
    }
    assertThat(checked).isGreaterThan(300);
  }

  @Test
  void hostileQueryParametersAreRefusedOrMatchNothing() {
    List<String> queries = List.of("state=%27%20OR%201%3D1--", "state=PENDING", "state=", "state=%00", "state=%zz",
        "limit=0", "limit=-1", "limit=1001", "limit=1e3", "limit=99999999999999999999", "limit=%00", "limit=0x10",
        "%zz=1", "limit=%", "limit=10%00");
    for (String q : queries) {
      for (String path : List.of("/api/v1/feeds/guest/hook/events?", "/api/v1/admin/events?")) {
        String auth = path.startsWith("/api/v1/admin") ? auth("bearer") : auth("basic");
        Api.Response r = raw.send("GET", path + q, auth, null);
        assertRefused(r, "GET " + path + q);
      }
    }
    List<String> admin = List.of("kind=ftp", "kind=%27", "state=%27%20OR%201%3D1--", "limit=abc", "after=-1",
        "after=1%20OR%201%3D1", "after=99999999999999999999", "namespace=%00", "namespace=%zz", "after=%00");
    for (String q : admin) {
      Api.Response r = raw.send("GET", "/api/v1/admin/feeds?" + q, auth("bearer"), null);
      assertRefused(r, "GET /api/v1/admin/feeds?" + q);
    }
    List<String> adminEvents = List.of("feed=%27%20OR%201%3D1--", "feed=/guest/hook/../../x", "feed=/_/hook",
        "after=not-a-cursor", "after=" + Base64.getUrlEncoder().encodeToString("control\n1 OR 1=1".getBytes()),
        "after=" + Base64.getUrlEncoder().encodeToString("\u0000\n99999999999999999999".getBytes()), "feed=%00");
    for (String q : adminEvents) {
      Api.Response r = raw.send("GET", "/api/v1/admin/events?" + q, auth("bearer"), null);
      assertRefused(r, "GET /api/v1/admin/events?" + q);
    }
    // SQL in a filter value is not an OpenWhisk name, and a name matches no feed: nothing dropped
    for (String namespace : SQL_STRINGS) {
      Api.Response r = Ops.get(provider.port(), "/api/v1/admin/feeds?namespace="
          + java.net.URLEncoder.encode(namespace, StandardCharsets.UTF_8), TOKEN);
      if (r.status() == 200) {
        assertThat(r.json().getJsonArray("feeds")).as(namespace).isEmpty();
      } else {
        assertRefused(r, "namespace=" + namespace);
        assertThat(r.error()).isEqualTo("namespace name is not a valid OpenWhisk name");
      }
    }
    assertUnchanged();
  }

  @Test
  void instantsOutsideEpochMillisecondsRedeliverNothing() {
    ok(api.create("guest", "delivered", new JsonObject().put("kind", "webhook")));
    api.event("guest", "delivered", new JsonObject());
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() ->
        api.read("guest", "delivered").json().getJsonObject("stats").getLong("delivered") == 1);
    before = stored();
    for (String range : List.of("\"from\":1e300", "\"from\":18446744073709551616", "\"from\":1.5e19",
        "\"to\":-1e300", "\"from\":4102444800000.5", "\"to\":\"0001-01-01T00:00:00Z\"", "\"from\":\"+99999-01-01T00:00:00Z\"")) {
      String body = "{\"feed\":\"/guest/delivered\",\"state\":\"delivered\"," + range + "}";
      Api.Response r = Ops.send(provider.port(), "POST", "/api/v1/admin/events/redeliver", TOKEN, new JsonObject(body));
      if (r.status() == 200) {
        assertThat(r.json().getInteger("redelivered")).as(body).isZero();
      } else {
        assertRefused(r, body);
      }
      assertThat(stored()).as(body).isEqualTo(before);
    }
    assertThat(api.delete("guest", "delivered").status()).isEqualTo(200);
  }

  @Test
  void hostileAdminBodiesAreRefused() {
    List<String> redeliver = List.of("{}", "{\"feed\":1}", "{\"feed\":\"guest/hook/x\"}", "{\"feed\":\"/guest/hook' OR '1'='1\"}",
        "{\"feed\":\"/guest/hook\",\"state\":\"pending\"}", "{\"feed\":\"/guest/hook\",\"state\":[\"dead\"]}",
        "{\"feed\":\"/guest/hook\",\"from\":1e300}", "{\"feed\":\"/guest/hook\",\"to\":-1e300}",
        "{\"feed\":\"/guest/hook\",\"from\":\"yesterday\"}", "{\"feed\":\"/guest/hook\",\"from\":true}",
        "{\"feed\":\"/guest/hook\",\"from\":\"+999999999-12-31T23:59:59Z\"}",
        "{\"feed\":\"/guest/hook\",\"to\":\"-999999999-01-01T00:00:00Z\"}",
        "{\"feed\":\"/guest/hook\",\"from\":9223372036854775807}",
        "{\"feed\":\"/guest/hook\",\"from\":\"2026-01-02T00:00:00Z\",\"to\":\"2026-01-01T00:00:00Z\"}",
        "{\"feed\":\"/other/hook\"}");
    for (String body : redeliver) {
      Api.Response r = Ops.send(provider.port(), "POST", "/api/v1/admin/events/redeliver", TOKEN, new JsonObject(body));
      if (r.status() == 200) {
        // an instant far away is still an instant: nothing in that range, nothing redelivered
        assertThat(r.json().getInteger("redelivered")).as(body).isZero();
      } else {
        assertRefused(r, "redeliver " + body);
      }
    }
    List<String> disable = List.of("{\"message\":1}", "{\"message\":[\"x\"]}", "{\"message\":{}}",
        "{\"message\":\"" + "m".repeat(501) + "\"}");
    for (String body : disable) {
      assertRefused(Ops.send(provider.port(), "POST", "/api/v1/admin/feeds/guest/hook/disable", TOKEN,
          new JsonObject(body)), "disable " + body);
    }
    assertUnchanged();
  }

  // ---- headers and URIs

  @Test
  void oversizedHeadersAndUrisAreJsonErrors() {
    Api.Response headers = raw.send("GET", "/api/v1/feeds/guest/hook", auth("basic") + "\r\nX-Big: " + "h".repeat(20_000),
        null);
    assertRefused(headers, "a 20 KB header");
    assertThat(headers.status()).isEqualTo(431);
    assertThat(headers.json().getString("code")).isEqualTo("headers_too_large");

    Api.Response manyHeaders = raw.send("GET", "/ping", "X-A: 1\r\n".repeat(2000) + "X-B: 2", null);
    assertThat(manyHeaders.status()).isEqualTo(431);
    assertRefused(manyHeaders, "2000 headers");

    Api.Response auth = raw.send("GET", "/api/v1/feeds/guest/hook", "Authorization: Basic " + "A".repeat(50_000), null);
    assertThat(auth.status()).isEqualTo(431);
    assertRefused(auth, "a 50 KB Authorization header");

    Api.Response uri = raw.send("GET", "/api/v1/feeds/guest/" + "u".repeat(10_000), auth("basic"), null);
    assertRefused(uri, "a 10 KB URI");
    assertThat(uri.status()).isEqualTo(414);
    assertThat(uri.json().getString("code")).isEqualTo("uri_too_long");

    Api.Response hookUri = raw.send("POST", "/hooks/" + hookToken + "?q=" + "q".repeat(10_000), "", utf8("{}"));
    assertThat(hookUri.status()).isEqualTo(414);
    assertRefused(hookUri, "a 10 KB hook URI");
    // and the server still serves
    assertThat(api.read("guest", "hook").status()).isEqualTo(200);
    assertUnchanged();
  }

  @Test
  void malformedCredentialsAre401() {
    List<String> headers = List.of("Authorization: Basic", "Authorization: Basic !!!!", "Authorization: Basic "
        + Base64.getEncoder().encodeToString("nocolon".getBytes()), "Authorization: Basic "
        + Base64.getEncoder().encodeToString(":".getBytes()), "Authorization: Basic "
        + Base64.getEncoder().encodeToString(new byte[] {(byte) 0xFF, ':', (byte) 0xFE}), "Authorization: Bearer " + TOKEN,
        "Authorization: Basic " + Base64.getEncoder().encodeToString(("' OR 1=1--:" + "x").getBytes()),
        "Authorization: Digest username=\"x\"", "Authorization: basic%20" + KEY);
    for (String h : headers) {
      Api.Response r = raw.send("GET", "/api/v1/feeds/guest/hook", h, null);
      assertRefused(r, h);
      assertThat(r.status()).as(h).isEqualTo(401);
    }
    assertUnchanged();
  }

  // ---- hooks

  @Test
  void hostileHookRequestsAreRefusedAndStoreNothing() {
    String events = "SELECT count(*) FROM whiskfeed.events";
    long stored = db.queryLong(events);
    // too large, declared or streamed
    Api.Response big = raw.send("POST", "/hooks/" + hookToken, "Content-Type: application/json",
        new byte[10 * 1024 * 1024]);
    assertRefused(big, "a 10 MB hook body");
    assertThat(big.status()).isEqualTo(413);
    // a signature that does not match, whatever the body
    for (byte[] body : BAD_BODIES.values()) {
      if (body.length > 1024 * 1024) continue;
      Api.Response r = raw.send("POST", "/hooks/" + hookToken, "Content-Type: application/json\r\n"
          + "X-Hub-Signature-256: sha256=" + "0".repeat(64), body);
      assertRefused(r, "a hook body with a wrong signature");
      assertThat(r.status()).isEqualTo(401);
    }
    Api.Response query = raw.send("POST", "/hooks/" + hookToken + "?%zz=1", "Content-Type: application/json", utf8("{}"));
    assertRefused(query, "an undecodable hook query");
    for (String token : List.of(hookToken + "'", hookToken.toUpperCase(), hookToken.substring(1),
        "' OR '1'='1", "%27%20OR%20%271%27%3D%271", "A".repeat(200))) {
      Api.Response r = raw.send("POST", "/hooks/" + token, "Content-Type: application/json", utf8("{}"));
      assertRefused(r, "hook " + token);
      // 400 when the token is not even a valid request target
      assertThat(r.status()).as(token).isIn(400, 404);
    }
    assertThat(db.queryLong(events)).isEqualTo(stored);
    assertUnchanged();
  }

  @Test
  void numbersInEventBodiesAreKeptExactlyOrRefused() {
    ok(api.create("guest", "numbers", new JsonObject().put("kind", "webhook")));
    assertThat(api.pause("guest", "numbers").status()).isEqualTo(200);
    String hook = HookClient.path(api.read("guest", "numbers").json().getJsonObject("config").getString("hookUrl"));
    for (String number : List.of("1e999", "-1e999", "123456789012345678901234567890", "1.00000000000000000000001",
        "1e-999", "-0", "1e999999")) {
      String body = "{\"n\":" + number + "}";
      Api.Response manual = api.send("POST", Api.feed("guest", "numbers") + "/events", body);
      Api.Response hooked = raw.send("POST", hook, "Content-Type: application/json", utf8(body));
      assertThat(hooked.status()).as(body + " to the hook").isEqualTo(202);
      if (number.equals("1e999999")) {
        // past what jsonb holds as sent: the API refuses it, a hook keeps the body as its text
        assertRefused(manual, body);
        assertThat(db.queryLong("SELECT count(*) FROM whiskfeed.events WHERE id = ?::uuid AND payload #>> "
            + "'{data,bodyEncoding}' = 'text' AND payload #>> '{data,body}' = ?", hooked.json().getString("eventId"),
            body)).as(body).isEqualTo(1);
        continue;
      }
      assertThat(manual.status()).as(body + ": " + manual.body()).isEqualTo(202);
      // what was sent is what is stored: never the string "Infinity", never a rounded double
      assertThat(db.queryLong("SELECT count(*) FROM whiskfeed.events WHERE id = ?::uuid AND jsonb_typeof(payload #> "
          + "'{data,n}') = 'number' AND (payload #>> '{data,n}')::numeric = ?::numeric",
          manual.json().getString("eventId"), number)).as(body).isEqualTo(1);
      assertThat(db.queryLong("SELECT count(*) FROM whiskfeed.events WHERE id = ?::uuid AND jsonb_typeof(payload #> "
          + "'{data,body,n}') = 'number' AND (payload #>> '{data,body,n}')::numeric = ?::numeric",
          hooked.json().getString("eventId"), number)).as(body + " to the hook").isEqualTo(1);
    }
    assertThat(api.delete("guest", "numbers").status()).isEqualTo(200);
    before = stored();
    assertUnchanged();
  }

  private static void ok(Api.Response r) {
    assertThat(r.status()).as(r.body()).isEqualTo(200);
  }

  // ---- helpers

  private static String auth(String kind) {
    return kind.equals("bearer") ? "Authorization: Bearer " + TOKEN : "Authorization: " + dev.whiskfeed.openwhisk.BasicAuth.header(KEY);
  }

  /** A 4xx answer of API.md's error shape, without a trace of the code that refused it. */
  static void assertRefused(Api.Response r, String what) {
    assertThat(r.status()).as(what + ": " + RawHttp.abbreviate(r.body())).isBetween(400, 499);
    JsonObject body;
    try {
      body = new JsonObject(r.body());
    } catch (RuntimeException e) {
      throw new AssertionError(what + ": the body is not a JSON object: " + RawHttp.abbreviate(r.body()), e);
    }
    assertThat(body.getValue("error")).as(what).isInstanceOf(String.class);
    assertThat(body.getString("code")).as(what).matches("[a-z0-9_]+");
    assertThat(body.fieldNames()).as(what).containsExactlyInAnyOrder("error", "code");
    assertThat(r.body()).as(what).doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("dev.whiskfeed.")
        .doesNotContain("io.vertx.").doesNotContain("com.fasterxml").doesNotContain("SQLSTATE");
  }

  private void assertUnchanged() {
    assertThat(stored()).isEqualTo(before);
    assertThat(db.queryLong("SELECT count(*) FROM public.sentinel")).isZero();
  }

  /** Everything a request could change: feeds, events, schedules, capture triggers, tables. */
  static String stored() {
    StringBuilder out = new StringBuilder();
    try (java.sql.Statement st = snapshots.createStatement()) {
      for (String sql : SNAPSHOT) {
        try (java.sql.ResultSet rs = st.executeQuery(sql)) {
          int columns = rs.getMetaData().getColumnCount();
          while (rs.next()) {
            for (int c = 1; c <= columns; c++) out.append(rs.getString(c)).append('|');
            out.append('\n');
          }
        }
        out.append("--\n");
      }
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
    return out.toString();
  }

  static final List<String> SNAPSHOT = List.of(
      "SELECT id, namespace, trigger, kind, config::text, secrets::text, auth_key, state, reason::text, date_changed, "
          + "hook_token_hash, hook_token_sealed, version FROM whiskfeed.feeds ORDER BY id",
      "SELECT id, feed_id, op, payload::text, state, attempts, next_attempt_at FROM whiskfeed.event_status ORDER BY seq",
      "SELECT feed_id, next_fire FROM whiskfeed.alarm_schedules ORDER BY feed_id",
      "SELECT tgname::text, tgrelid::regclass::text FROM pg_trigger WHERE NOT tgisinternal ORDER BY 1, 2",
      "SELECT schemaname::text, tablename::text FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', "
          + "'information_schema') ORDER BY 1, 2");

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] bytes(String head, byte[] middle, String tail) {
    byte[] h = utf8(head);
    byte[] t = utf8(tail);
    byte[] out = new byte[h.length + middle.length + t.length];
    System.arraycopy(h, 0, out, 0, h.length);
    System.arraycopy(middle, 0, out, h.length, middle.length);
    System.arraycopy(t, 0, out, h.length + middle.length, t.length);
    return out;
  }
}
