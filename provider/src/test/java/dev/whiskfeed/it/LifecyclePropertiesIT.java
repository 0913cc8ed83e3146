package dev.whiskfeed.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whiskfeed.app.Provider;
import dev.whiskfeed.feed.DeliverySettings;
import dev.whiskfeed.testing.StandInOpenWhisk;
import dev.whiskfeed.testing.StandalonePostgres;
import dev.whiskfeed.testing.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Issue 9, property-based: generated parameter maps (valid, out of range, wrongly typed, unknown,
 * SQL) for CREATE and UPDATE of every kind, against a running provider. Whatever the map, the answer
 * is either 2xx and READ shows what was sent, or a 4xx JSON error and the stored feed is exactly as
 * before; never a 5xx. Tries are bounded so the two properties take well under 30 s.
 */
class LifecyclePropertiesIT {
  static final String KEY = "23bc46b1-71f6-4ed5-8c54-816aa4f8c502:propertyKey0123456789abcdef";
  static final List<String> KINDS = List.of("webhook", "alarm", "changes");

  static StandalonePostgres postgres;
  static Vertx vertx;
  static StandInOpenWhisk openwhisk;
  static TestDatabase db;
  static Connection sql;
  static Provider provider;
  static Api api;

  @BeforeContainer
  static void start() throws SQLException {
    postgres = StandalonePostgres.start();
    vertx = Vertx.vertx();
    openwhisk = StandInOpenWhisk.start(vertx);
    openwhisk.registerKey("guest", KEY);
    db = postgres.postgres().newDatabase("properties");
    db.execute("CREATE TABLE public.orders (id int PRIMARY KEY, total numeric, note text)");
    sql = db.connect();
    provider = TestProvider.start(db, openwhisk.url());
    api = new Api(provider.port(), KEY);
    for (String kind : KINDS) {
      Api.Response r = api.create("guest", "update-" + kind, base(kind));
      assertThat(r.status()).as(r.body()).isEqualTo(200);
    }
  }

  @AfterContainer
  static void stop() throws Exception {
    if (provider != null) provider.close();
    if (sql != null) sql.close();
    if (openwhisk != null) openwhisk.close();
    if (vertx != null) vertx.close();
    if (postgres != null) postgres.close();
  }

  @Property(tries = 80, shrinking = ShrinkingMode.BOUNDED, maxDiscardRatio = 1)
  void createEitherStoresWhatWasSentOrChangesNothing(@ForAll("createBodies") JsonObject body) {
    String before = stored("create");
    Api.Response r = api.create("guest", "create", body);
    Statistics.label("CREATE").collect(r.status() / 100 + "xx");
    String what = "CREATE " + body.encode();
    if (r.status() == 200) {
      JsonObject feed = r.json().getJsonObject("feed");
      assertThat(feed.getString("kind")).as(what).isEqualTo(body.getString("kind"));
      assertReflected(what, feed, body, api.read("guest", "create"));
    } else {
      assertRefused(what, r, before, "create");
    }
  }

  @Property(tries = 80, shrinking = ShrinkingMode.BOUNDED, maxDiscardRatio = 1)
  void updateEitherAppliesWhatWasSentOrChangesNothing(@ForAll("updates") Tuple.Tuple2<String, JsonObject> update) {
    String trigger = "update-" + update.get1();
    JsonObject body = update.get2();
    String before = stored(trigger);
    Api.Response r = api.update("guest", trigger, body);
    Statistics.label("UPDATE").collect(r.status() / 100 + "xx");
    String what = "UPDATE " + update.get1() + " " + body.encode();
    if (r.status() == 200) {
      assertReflected(what, r.json().getJsonObject("feed"), body, api.read("guest", trigger));
    } else {
      assertRefused(what, r, before, trigger);
    }
  }

  // ---- the two outcomes

  private static void assertReflected(String what, JsonObject feed, JsonObject body, Api.Response read) {
    assertThat(read.status()).as(what).isEqualTo(200);
    JsonObject shown = read.json();
    assertThat(shown.getJsonObject("config")).as(what).isEqualTo(feed.getJsonObject("config"));
    assertThat(shown.getJsonObject("status").getString("state")).as(what).isEqualTo("active");
    JsonObject config = shown.getJsonObject("config");
    for (String name : body.fieldNames()) {
      Object sent = body.getValue(name);
      if (DeliverySettings.NAMES.contains(name)) {
        // null asks for the default
        Object expected = sent == null ? DeliverySettings.DEFAULTS.toJson().getValue(name) : normalized(sent);
        assertThat(config.getValue(name)).as(what + ": " + name).isEqualTo(expected);
      } else if (name.equals("secret")) {
        assertThat(config.getString("secret")).as(what).isEqualTo(sent == null ? null : "set");
      } else if (!name.equals("kind") && !name.equals("rotateHook") && sent != null) {
        // "all columns" is the absence of the list, a blank source the control database; a once-alarm has no
        // use for start and stop (docs/alarms.md)
        boolean implicit = name.equals("columns") || name.equals("payloadColumns")
            || (config.containsKey("date") && (name.equals("startDate") || name.equals("stopDate")))
            || (name.equals("source") && sent instanceof String s && s.isBlank());
        assertThat(config.containsKey(name) || implicit)
            .as(what + ": " + name + " in " + config.encode()).isTrue();
      }
    }
  }

  private static void assertRefused(String what, Api.Response r, String before, String trigger) {
    assertThat(r.status()).as(what + " -> " + r.body()).isBetween(400, 499);
    JsonObject error = r.json();
    assertThat(error.fieldNames()).as(what).containsExactlyInAnyOrder("error", "code");
    assertThat(error.getString("error")).as(what).isNotBlank().doesNotContain("Exception");
    assertThat(stored(trigger)).as(what + " -> " + r.body()).isEqualTo(before);
  }

  /** What a delivery setting becomes: a JSON integer or a string of digits is an int, "true" a boolean. */
  private static Object normalized(Object sent) {
    if (sent instanceof String s) return s.equals("true") || s.equals("false") ? Boolean.valueOf(s) : Integer.valueOf(s);
    if (sent instanceof Number n) return n.intValue();
    return sent;
  }

  /** The trigger's feed row and everything hanging off it; an empty string when there is none. */
  private static String stored(String trigger) {
    StringBuilder out = new StringBuilder();
    String[] queries = {
        "SELECT id, kind, config::text, secrets::text, auth_key, state, reason::text, hook_token_hash, hook_token_sealed, version "
            + "FROM whiskfeed.feeds WHERE namespace = 'guest' AND trigger = '" + trigger + "'",
        "SELECT s.feed_id, s.next_fire FROM whiskfeed.alarm_schedules s JOIN whiskfeed.feeds f ON f.id = s.feed_id "
            + "WHERE f.trigger = '" + trigger + "'",
        "SELECT tgname::text FROM pg_trigger WHERE tgrelid = 'public.orders'::regclass AND NOT tgisinternal ORDER BY 1"};
    try (Statement st = sql.createStatement()) {
      for (String q : queries) {
        try (ResultSet rs = st.executeQuery(q)) {
          int n = rs.getMetaData().getColumnCount();
          while (rs.next()) {
            for (int c = 1; c <= n; c++) out.append(rs.getString(c)).append('|');
            out.append('\n');
          }
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return out.toString();
  }

  // ---- generators

  static JsonObject base(String kind) {
    return switch (kind) {
      case "alarm" -> new JsonObject().put("kind", "alarm").put("cron", "0 0 1 1 *");
      case "changes" -> new JsonObject().put("kind", "changes").put("table", "public.orders");
      default -> new JsonObject().put("kind", kind);
    };
  }

  static final Map<String, List<String>> KIND_PARAMS = Map.of(
      "webhook", List.of("secret", "maxBodyBytes", "rateLimitPerSec"),
      "alarm", List.of("cron", "minutes", "date", "timezone", "startDate", "stopDate", "trigger_payload",
          "deleteAfterFire", "catchUp", "spreadSec"),
      "changes", List.of("table", "events", "columns", "payloadColumns", "mode", "pollIntervalSec", "source"));
  static final List<String> UNKNOWN = List.of("tabel", "Kind", "maxretries", "$where", "__proto__", "");

  @Provide
  Arbitrary<JsonObject> createBodies() {
    Arbitrary<String> kind = Arbitraries.frequencyOf(Tuple.of(8, Arbitraries.of(KINDS)),
        Tuple.of(1, Arbitraries.of("ftp", "WEBHOOK", "", "changes; DROP TABLE whiskfeed.feeds")));
    return kind.flatMap(k -> Arbitraries.of(true, true, true, false).flatMap(withBase -> params(k, false).map(p -> {
      JsonObject body = withBase && KINDS.contains(k) ? base(k) : new JsonObject().put("kind", k);
      return body.mergeIn(p);
    })));
  }

  @Provide
  Arbitrary<Tuple.Tuple2<String, JsonObject>> updates() {
    return Arbitraries.of(KINDS).flatMap(k -> params(k, true).filter(p -> !p.isEmpty()).map(p -> Tuple.of(k, p)));
  }

  /** 0 to 4 parameters of the kind (or any kind, or unknown), mostly with valid values. */
  private static Arbitrary<JsonObject> params(String kind, boolean update) {
    List<String> names = new java.util.ArrayList<>(DeliverySettings.NAMES);
    names.addAll(KIND_PARAMS.getOrDefault(kind, List.of()));
    if (update && kind.equals("webhook")) names.add("rotateHook");
    Arbitrary<String> name = Arbitraries.frequencyOf(Tuple.of(12, Arbitraries.of(names)),
        Tuple.of(1, Arbitraries.of(UNKNOWN)), Tuple.of(1, Arbitraries.of(KIND_PARAMS.get("alarm"))));
    Arbitrary<Map.Entry<String, Object>> entry = name.flatMap(n -> value(n).map(v -> new java.util.AbstractMap.SimpleEntry<>(n, v)));
    return entry.list().ofMaxSize(4).map(list -> {
      JsonObject out = new JsonObject();
      list.forEach(e -> out.put(e.getKey(), e.getValue()));
      return out;
    });
  }

  private static Arbitrary<Object> value(String name) {
    return Arbitraries.frequencyOf(Tuple.of(4, valid(name)), Tuple.of(1, hostile()));
  }

  @SuppressWarnings("unchecked")
  private static Arbitrary<Object> valid(String name) {
    Arbitrary<?> a = switch (name) {
      case "maxTriggers" -> integer(Arbitraries.oneOf(Arbitraries.just(-1), Arbitraries.integers().between(1, 1000)));
      case "maxRetries" -> integer(Arbitraries.integers().between(0, 100));
      case "retryIntervalSec" -> integer(Arbitraries.integers().between(1, 3600));
      case "timeoutSec" -> integer(Arbitraries.integers().between(1, 300));
      case "batchSize" -> integer(Arbitraries.integers().between(1, 1000));
      case "batchMaxBytes" -> integer(Arbitraries.integers().between(1024, 1_048_576));
      case "ordered", "catchUp" -> Arbitraries.of(true, false, "true", "false");
      case "secret" -> Arbitraries.strings().alpha().numeric().withChars("-_!'\"").ofMinLength(1).ofMaxLength(30);
      case "maxBodyBytes" -> Arbitraries.integers().between(1, 2_000_000);
      case "rateLimitPerSec" -> Arbitraries.integers().between(0, 2000);
      case "rotateHook" -> Arbitraries.of(true, false);
      case "cron" -> Arbitraries.of("0 0 1 1 *", "0 12 * * MON", "0 0 0 1 1 *", "61 * * * *", "* * *");
      case "minutes" -> Arbitraries.integers().between(60, 100_000);
      case "date" -> Arbitraries.of("2099-01-01T00:00:00Z", "2000-01-01T00:00:00Z", 4_070_908_800_000L, "tomorrow");
      case "timezone" -> Arbitraries.of("UTC", "Europe/Berlin", "America/New_York", "Mars/Olympus");
      case "startDate", "stopDate" -> Arbitraries.of("2098-01-01T00:00:00Z", "2099-06-01T00:00:00Z", 4_102_444_800_000L);
      case "trigger_payload" -> Arbitraries.oneOf(Arbitraries.strings().alpha().ofMaxLength(20),
          Arbitraries.integers().map(i -> new JsonObject().put("n", i)));
      case "deleteAfterFire" -> Arbitraries.of(false, true, "rules", "false");
      case "spreadSec" -> Arbitraries.integers().between(0, 100);
      case "table" -> Arbitraries.of("public.orders", "orders", "\"public\".\"orders\"", "public.nope", "PUBLIC.ORDERS");
      case "events" -> Arbitraries.of("INSERT", "INSERT,UPDATE", new JsonArray().add("DELETE"), "TRUNCATE", "insert");
      case "columns", "payloadColumns" -> Arbitraries.of("id", "total,note", new JsonArray().add("note"), "nope", "*");
      case "mode" -> Arbitraries.of("listen", "poll", "push");
      case "pollIntervalSec" -> Arbitraries.integers().between(1, 3600);
      case "source" -> Arbitraries.of("orders", "nope");
      default -> hostile();
    };
    return (Arbitrary<Object>) a;
  }

  /** An int, as a JSON number or as a string of digits (as `wsk -p` sends). */
  private static Arbitrary<Object> integer(Arbitrary<Integer> ints) {
    return ints.flatMap(i -> Arbitraries.of((Object) i, (Object) Integer.toString(i)));
  }

  private static Arbitrary<Object> hostile() {
    return Arbitraries.oneOf(
        Arbitraries.of("", " ", "'; DROP TABLE whiskfeed.feeds; --", "\"whiskfeed\".\"events\"", "pg_catalog.pg_class",
            "1e999", "NaN", "-0", "0x10", "１２"),
        Arbitraries.of(1e300, -1e300, 0.5, Long.MAX_VALUE, Long.MIN_VALUE, -1, 2_147_483_648L),
        Arbitraries.of(true, false),
        Arbitraries.just(new JsonArray()), Arbitraries.just(new JsonObject().put("$gt", "")),
        Arbitraries.strings().ofMaxLength(40),
        Arbitraries.just(null));
  }
}
