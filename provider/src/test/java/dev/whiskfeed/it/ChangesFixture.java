package dev.whiskfeed.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.whiskfeed.app.Provider;
import dev.whiskfeed.testing.Recorded;
import dev.whiskfeed.testing.StandInOpenWhisk;
import dev.whiskfeed.testing.TestDatabase;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the changes-feed ITs share: a provider on a fresh database with a fast capture check, the
 * lifecycle API, and the fires of one trigger as envelopes. Nothing here sleeps: "nothing else
 * fired" is shown by committing a marker change afterwards and waiting for the marker.
 */
final class ChangesFixture implements AutoCloseable {
  static final String KEY = "23bc46b1-71f6-4ed5-8c54-816aa4f8c502:changesFeedTestKey";
  static final Duration WAIT = Duration.ofSeconds(30);

  final StandInOpenWhisk openwhisk;
  final TestDatabase db;
  final Map<String, String> env = new HashMap<>();
  Provider provider;
  Api api;

  ChangesFixture(StandInOpenWhisk openwhisk, TestDatabase db, Map<String, String> overrides) {
    this.openwhisk = openwhisk;
    this.db = db;
    env.putAll(TestProvider.env(db, openwhisk.url()));
    env.put("WHISKFEED_CAPTURE_CHECK_MS", "300");
    env.putAll(overrides);
    start();
  }

  void start() {
    provider = TestProvider.start(env);
    api = new Api(provider.port(), KEY);
  }

  void stop() throws Exception {
    if (provider != null) provider.close();
    provider = null;
  }

  @Override
  public void close() throws Exception {
    stop();
  }

  static JsonObject changes(String table) {
    return new JsonObject().put("kind", "changes").put("table", table);
  }

  JsonObject create(String trigger, JsonObject params) {
    Api.Response r = api.create("guest", trigger, params);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json().getJsonObject("feed");
  }

  JsonObject update(String trigger, JsonObject params) {
    Api.Response r = api.update("guest", trigger, params);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json().getJsonObject("feed");
  }

  void delete(String trigger) {
    Api.Response r = api.delete("guest", trigger);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
  }

  JsonObject read(String trigger) {
    return api.read("guest", trigger).json();
  }

  /** The envelopes fired at {@code trigger} so far, in arrival order. */
  List<JsonObject> fires(String trigger) {
    return openwhisk.fires("guest", trigger).stream().map(Recorded::json).toList();
  }

  List<JsonObject> awaitFires(String trigger, int n) {
    await().atMost(WAIT).until(() -> fires(trigger).size() >= n);
    return fires(trigger);
  }

  /** Waits for a fire whose new (or old) row has {@code id}, then returns every fire so far. */
  List<JsonObject> awaitRow(String trigger, long id) {
    await().atMost(WAIT).until(() -> fires(trigger).stream().anyMatch(e -> rowId(e) == id));
    return fires(trigger);
  }

  static long rowId(JsonObject envelope) {
    JsonObject data = envelope.getJsonObject("event").getJsonObject("data");
    JsonObject row = data.getJsonObject("new") != null ? data.getJsonObject("new") : data.getJsonObject("old");
    return row == null || row.getValue("id") == null ? -1 : row.getLong("id");
  }

  static String op(JsonObject envelope) {
    return envelope.getJsonObject("event").getString("op");
  }

  static JsonObject newRow(JsonObject envelope) {
    return envelope.getJsonObject("event").getJsonObject("data").getJsonObject("new");
  }

  static JsonObject oldRow(JsonObject envelope) {
    return envelope.getJsonObject("event").getJsonObject("data").getJsonObject("old");
  }

  /** Runs {@code work} in one transaction of its own connection to {@code database}. */
  static void inTransaction(TestDatabase database, SqlWork work) {
    try (Connection c = database.connect()) {
      c.setAutoCommit(false);
      work.run(c);
      c.commit();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  interface SqlWork {
    void run(Connection c) throws SQLException;
  }

  static void exec(Connection c, String sql) throws SQLException {
    try (var s = c.createStatement()) {
      s.execute(sql);
    }
  }

  long captureTriggers() {
    return db.queryLong("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'whiskfeed\\_%'");
  }

  long captureFunctions() {
    return db.queryLong("SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
        + "WHERE n.nspname = 'whiskfeed' AND p.proname LIKE 'capture\\_%'");
  }
}
