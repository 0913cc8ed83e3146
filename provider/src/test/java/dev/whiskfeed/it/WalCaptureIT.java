package dev.whiskfeed.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.whiskfeed.testing.PgExtension;
import dev.whiskfeed.testing.TestDatabase;
import dev.whiskfeed.testing.TestPostgres;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What WAL capture adds to a changes feed: the same payload as trigger capture for every common
 * column type, the mode chosen and shown, the slot and publication made and removed, a lost slot
 * reported by disabling the feeds, and clear answers when WAL capture cannot be had.
 */
@ExtendWith(PgExtension.class)
class WalCaptureIT extends WithStandInOpenWhisk {
  static final Duration WAIT = Duration.ofSeconds(30);
  TestPostgres pg;
  TestDatabase db;
  ChangesFixture f;

  @BeforeEach
  void start(TestPostgres pg) {
    this.pg = pg;
    openwhisk.reset();
    db = pg.newDatabase("wal");
    db.execute("CREATE TABLE public.orders (id bigint PRIMARY KEY, status text)");
    f = new ChangesFixture(openwhisk, db, Map.of());
  }

  @AfterEach
  void stop() throws Exception {
    f.close();
  }

  static JsonObject changes(String table, String capture) {
    return ChangesFixture.changes(table).put("capture", capture);
  }

  @Test
  void autoPicksWalWhereTheDatabaseAllowsItAndReadShowsTheMode() {
    JsonObject feed = f.create("auto", ChangesFixture.changes("public.orders"));
    assertThat(feed.getJsonObject("config").getString("capture")).isEqualTo("wal");
    assertThat(f.create("trig", changes("public.orders", "trigger")).getJsonObject("config").getString("capture"))
        .isEqualTo("trigger");
    assertThat(f.read("auto").getJsonObject("config").getString("capture")).isEqualTo("wal");
    // polling is a trigger-capture matter: auto resolves to trigger, wal is refused
    assertThat(f.create("polled", ChangesFixture.changes("public.orders").put("mode", "poll"))
        .getJsonObject("config").getString("capture")).isEqualTo("trigger");
    Api.Response refused = f.api.create("guest", "walpoll", changes("public.orders", "wal").put("mode", "poll"));
    assertThat(refused.status()).isEqualTo(400);
    assertThat(refused.json().getString("error")).contains("mode poll applies to capture trigger only");
    Api.Response bad = f.api.create("guest", "odd", changes("public.orders", "logical"));
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.json().getString("error")).isEqualTo("the capture parameter must be auto, wal or trigger, not 'logical'");
  }

  @Test
  void healthAndMetricsShowTheSlot() {
    f.create("t", changes("public.orders", "wal"));
    db.execute("INSERT INTO public.orders VALUES (1, 'x')");
    f.awaitRow("t", 1);
    await().atMost(WAIT).until(() -> {
      JsonObject health = f.api.send("GET", "/health", null).json();
      var capture = health.getJsonArray("capture");
      return capture != null && "holding".equals(capture.getJsonObject(0).getString("state"));
    });
    JsonObject slot = f.api.send("GET", "/health", null).json().getJsonArray("capture").getJsonObject(0);
    assertThat(slot.getString("store")).isEqualTo("control");
    assertThat(slot.getString("slot")).startsWith("whiskfeed_");
    assertThat(slot.getString("holder")).isEqualTo(f.env.get("WHISKFEED_INSTANCE_ID"));
    assertThat(slot.getLong("retainedBytes")).isNotNegative();
    await().atMost(WAIT).until(() -> f.api.send("GET", "/metrics", null).body()
        .contains("whiskfeed_capture_slot_retained_bytes{store=\"control\"}"));
    assertThat(f.api.send("GET", "/metrics", null).body()).contains("whiskfeed_capture_lag_seconds{store=\"control\"}");
  }

  @Test
  void creatingTheSlotGivesUpWith503WhileATransactionStaysOpenOnTheSource() throws Exception {
    try (java.sql.Connection open = db.connect()) {
      open.setAutoCommit(false);
      try (var s = open.createStatement()) {
        s.execute("INSERT INTO public.orders VALUES (1, 'open')"); // holds an xid: a new slot waits for it
      }
      long t0 = System.nanoTime();
      Api.Response r = f.api.create("guest", "t", changes("public.orders", "wal"));
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertThat(r.status()).as(r.body()).isEqualTo(503);
      assertThat(r.json().getString("code")).isEqualTo("capture_unavailable");
      assertThat(r.json().getString("error")).contains("waited 10 s for transactions open on the source database");
      assertThat(ms).isLessThan(20_000);
      assertThat(db.queryLong("SELECT count(*) FROM whiskfeed.feeds")).isZero();
      open.rollback();
    }
    assertThat(f.create("t", changes("public.orders", "wal")).getJsonObject("config").getString("capture"))
        .isEqualTo("wal");
  }

  @Test
  void aPartitionedTableIsCapturedThroughItsRoot() {
    db.execute("CREATE TABLE public.measures (id int, at date, v int, PRIMARY KEY (id, at)) PARTITION BY RANGE (at)");
    db.execute("CREATE TABLE public.measures_2026 PARTITION OF public.measures FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')");
    db.execute("CREATE TABLE public.measures_2027 PARTITION OF public.measures FOR VALUES FROM ('2027-01-01') TO ('2028-01-01')");
    f.create("m", changes("public.measures", "wal"));
    db.execute("INSERT INTO public.measures VALUES (1, '2026-05-01', 10), (2, '2027-05-01', 20)");
    db.execute("INSERT INTO public.measures_2027 VALUES (3, '2027-06-01', 30)"); // addressed to a partition
    List<JsonObject> fires = f.awaitRow("m", 3);
    assertThat(fires).hasSize(3);
    assertThat(fires).extracting(e -> e.getJsonObject("table").getString("name")).containsOnly("measures");
    assertThat(fires).extracting(ChangesFixture::rowId).containsExactlyInAnyOrder(1L, 2L, 3L);
    // the partitions keep their own replica identity (the key): an UPDATE is never dropped, a DELETE names the key
    db.execute("UPDATE public.measures SET v = v WHERE id = 1");
    db.execute("DELETE FROM public.measures WHERE id = 2");
    fires = f.awaitFires("m", 5);
    JsonObject update = fires.stream().filter(e -> ChangesFixture.op(e).equals("UPDATE")).findFirst().orElseThrow();
    assertThat(ChangesFixture.newRow(update).getInteger("v")).isEqualTo(10);
    JsonObject delete = fires.stream().filter(e -> ChangesFixture.op(e).equals("DELETE")).findFirst().orElseThrow();
    assertThat(ChangesFixture.oldRow(delete)).isEqualTo(new JsonObject("{\"id\":2,\"at\":\"2027-05-01\",\"v\":null}"));
  }

  @Test
  void theSlotKeepsAdvancingWhileTheCapturedTablesAreQuietAndWhileTheFeedIsPaused() {
    f.create("t", changes("public.orders", "wal"));
    db.execute("CREATE TABLE public.other (id int PRIMARY KEY, pad text)");
    db.execute("INSERT INTO public.other SELECT g, repeat('x', 500) FROM generate_series(1, 20000) g");
    // the insert position: the tests' Postgres commits asynchronously, so the write position
    // (pg_current_wal_lsn) may still be short of a commit that has returned
    String written = String.valueOf(db.query("SELECT pg_current_wal_insert_lsn()::text AS l").get(0).get("l"));
    // nothing captured was written, yet the slot is confirmed past all of it: no WAL is held for other tables
    await().atMost(WAIT).until(() -> confirmedPast(written));
    assertThat(f.api.pause("guest", "t").status()).isEqualTo(200);
    db.execute("INSERT INTO public.orders VALUES (1, 'while paused')");
    String paused = String.valueOf(db.query("SELECT pg_current_wal_insert_lsn()::text AS l").get(0).get("l"));
    await().atMost(WAIT).until(() -> confirmedPast(paused));
    assertThat(db.queryLong("SELECT count(*) FROM whiskfeed.event_status WHERE state = 'pending'"))
        .as("events stored once the slot passed %s; slots: %s; events: %s", paused,
            db.query("SELECT slot_name, database, active, confirmed_flush_lsn::text FROM pg_replication_slots"),
            db.query("SELECT id, feed_id, state, attempts FROM whiskfeed.event_status"))
        .isEqualTo(1);
    assertThat(openwhisk.fires("guest", "t")).isEmpty();
    assertThat(f.api.unpause("guest", "t").status()).isEqualTo(200);
    f.awaitRow("t", 1);
  }

  @Test
  void aWalFeedOnADatabaseGivenByUrlKeepsCapturingAfterARestart() throws Exception {
    TestDatabase shop = pg.newDatabase("walurl");
    shop.execute("CREATE TABLE public.orders (id int PRIMARY KEY)");
    f.create("t", changes("public.orders", "wal").put("database", shop.url()));
    shop.execute("INSERT INTO public.orders VALUES (1)");
    f.awaitRow("t", 1);
    f.stop();
    shop.execute("INSERT INTO public.orders VALUES (2)"); // kept by the slot while the provider is down
    f.start();
    shop.execute("INSERT INTO public.orders VALUES (3)");
    f.awaitRow("t", 3);
    assertThat(f.fires("t")).extracting(ChangesFixture::rowId).containsExactlyInAnyOrder(1L, 2L, 3L);
    assertThat(shop.queryLong("SELECT count(*) FROM pg_namespace WHERE nspname = 'whiskfeed'")).isZero();
  }

  @Test
  void aGracefulStopConfirmsWhatItStoredSoTheNextStartDecodesNoneOfItAgain() throws Exception {
    f.create("t", changes("public.orders", "wal"));
    assertThat(f.api.pause("guest", "t").status()).isEqualTo(200);
    db.execute("INSERT INTO public.orders SELECT g, 'new' FROM generate_series(1, 500) g");
    String written = String.valueOf(db.query("SELECT pg_current_wal_insert_lsn()::text AS l").get(0).get("l"));
    await().atMost(WAIT).until(() -> db.queryLong("SELECT count(*) FROM whiskfeed.events") == 500);
    f.stop(); // at once: the status the reader sends every second has likely not gone out yet
    assertThat(confirmedPast(written)).as("slot confirmed past the stored changes when the provider stopped: %s",
        db.query("SELECT confirmed_flush_lsn::text AS c FROM pg_replication_slots")).isTrue();
  }

  @Test
  void theModeOfAFeedCannotChangeWithoutDeletingIt() {
    f.create("t", changes("public.orders", "wal"));
    Api.Response update = f.api.update("guest", "t", new JsonObject().put("capture", "trigger"));
    assertThat(update.status()).isEqualTo(400);
    assertThat(update.json().getString("error")).contains("capture cannot be changed");
    Api.Response replace = f.api.create("guest", "t", changes("public.orders", "trigger"));
    assertThat(replace.status()).isEqualTo(400);
    // a CREATE that replaces the feed without naming the mode keeps it
    assertThat(f.create("t", ChangesFixture.changes("public.orders").put("events", "INSERT"))
        .getJsonObject("config").getString("capture")).isEqualTo("wal");
    assertThat(f.read("t").getJsonObject("config").getString("capture")).isEqualTo("wal");
  }

  @Test
  void aRoleThatMayNotReplicateGetsTriggersOnAutoAnd400OnWal() {
    TestDatabase theirs = pg.newDatabase("theirs");
    theirs.createRole("plain_owner", "pw");
    theirs.execute("CREATE TABLE public.theirs (id int PRIMARY KEY)");
    theirs.execute("ALTER TABLE public.theirs OWNER TO plain_owner");
    theirs.execute("GRANT CREATE ON DATABASE " + theirs.name() + " TO plain_owner");
    String url = theirs.as("plain_owner", "pw").url();
    Api.Response wal = f.api.create("guest", "w", ChangesFixture.changes("public.theirs").put("database", url)
        .put("capture", "wal"));
    assertThat(wal.status()).as(wal.body()).isEqualTo(400);
    assertThat(wal.json().getString("error")).isEqualTo("capture wal is not available on this database: whiskfeed's "
        + "database role plain_owner may not replicate; ALTER ROLE plain_owner REPLICATION");
    assertThat(db.queryLong("SELECT count(*) FROM whiskfeed.feeds")).isZero();
    JsonObject auto = f.create("a", ChangesFixture.changes("public.theirs").put("database", url));
    assertThat(auto.getJsonObject("config").getString("capture")).isEqualTo("trigger");
  }

  @Test
  void bothModesPrintDatesInsideRangesTheSameWhateverTheWritersDateStyle() throws Exception {
    db.execute("CREATE TABLE public.spans (id int PRIMARY KEY, d daterange, t tstzrange, n int)");
    f.create("trig", changes("public.spans", "trigger"));
    f.create("wal", changes("public.spans", "wal"));
    // a writer whose session prints dates another way (SET LOCAL inside one statement: pgjdbc itself needs ISO)
    db.execute("""
        DO $w$ BEGIN
          SET LOCAL DateStyle = 'SQL, DMY';
          SET LOCAL TimeZone = 'America/St_Johns';
          INSERT INTO public.spans VALUES (1, '[2026-01-31,2026-02-28)', '[2026-01-31 10:00+00,)', 0);
        END $w$""");
    await().atMost(WAIT).until(() -> f.fires("wal").size() == 1 && f.fires("trig").size() == 1);
    assertThat(ChangesFixture.newRow(f.fires("wal").get(0))).isEqualTo(ChangesFixture.newRow(f.fires("trig").get(0)));
    assertThat(ChangesFixture.newRow(f.fires("wal").get(0)).getString("d")).isEqualTo("[2026-01-31,2026-02-28)");
  }

  @Test
  void aTableWithATypeWalCannotPrintGetsTriggersOnAutoAnd400OnWal() {
    db.execute("CREATE TYPE public.tag AS ENUM ('a', 'b')");
    db.execute("CREATE FUNCTION public.tag_json(public.tag) RETURNS json LANGUAGE sql IMMUTABLE "
        + "AS $$ SELECT json_build_object('tag', $1::text) $$");
    db.execute("CREATE CAST (public.tag AS json) WITH FUNCTION public.tag_json(public.tag)");
    db.execute("CREATE TABLE public.tagged (id int PRIMARY KEY, tags public.tag[])");
    Api.Response wal = f.api.create("guest", "w", changes("public.tagged", "wal"));
    assertThat(wal.status()).as(wal.body()).isEqualTo(400);
    assertThat(wal.json().getString("error")).isEqualTo("capture wal cannot print column type tag of table "
        + "public.tagged as trigger capture does (a cast to json decides its JSON); use capture trigger");
    assertThat(f.create("a", ChangesFixture.changes("public.tagged")).getJsonObject("config").getString("capture"))
        .isEqualTo("trigger");
    // such a column added later: the reader goes on (other feeds keep firing), the capture check disables the feed
    f.create("orders", changes("public.orders", "wal"));
    db.execute("CREATE TABLE public.sound (id int PRIMARY KEY, note text)");
    f.create("sound", changes("public.sound", "wal")); // checked in the same round, with the same query
    db.execute("ALTER TABLE public.orders ADD COLUMN tags public.tag[]");
    db.execute("INSERT INTO public.orders VALUES (1, 'x', '{a}')");
    f.create("items", changes("public.tagged", "trigger"));
    await().atMost(WAIT).until(() -> "disabled".equals(state("orders")));
    assertThat(f.read("orders").getJsonObject("status").getJsonObject("reason").getString("message"))
        .contains("now has a column of type tag, which WAL capture cannot print");
    assertThat(state("sound")).isEqualTo("active");
    db.execute("CREATE TABLE public.plain (id int PRIMARY KEY)");
    f.create("plain", changes("public.plain", "wal"));
    db.execute("INSERT INTO public.plain VALUES (7)");
    f.awaitRow("plain", 7);
  }

  @Test
  void oneSlotAndPublicationPerDatabaseGoneWithTheLastFeed() {
    db.execute("CREATE TABLE public.items (id int PRIMARY KEY)");
    f.create("a", changes("public.orders", "wal"));
    f.create("b", changes("public.items", "wal"));
    f.create("c", changes("public.items", "wal"));
    assertThat(slots()).isEqualTo(1);
    if (db.queryLong("SELECT current_setting('server_version_num')::int") >= 170000) {
      assertThat(db.queryLong("SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE 'whiskfeed%' "
          + "AND database = current_database() AND failover")).as("a failover slot").isEqualTo(1);
    }
    assertThat(db.query("SELECT tablename FROM pg_publication_tables WHERE pubname = 'whiskfeed' ORDER BY 1"))
        .extracting(r -> r.get("tablename")).containsExactly("items", "orders");
    assertThat(identity("public.items")).isEqualTo("f");
    f.delete("b");
    assertThat(identity("public.items")).isEqualTo("f");
    f.delete("a");
    assertThat(identity("public.orders")).isEqualTo("d");
    assertThat(slots()).isEqualTo(1);
    f.delete("c");
    assertThat(identity("public.items")).isEqualTo("d");
    await().atMost(WAIT).until(() -> slots() == 0);
    assertThat(db.queryLong("SELECT count(*) FROM pg_publication WHERE pubname = 'whiskfeed'")).isZero();
    // whiskfeed's own tables are never published, and nothing of whiskfeed's was written to the captured tables
    assertThat(db.queryLong("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'whiskfeed%'")).isZero();
  }

  @Test
  void aSlotDroppedBehindTheProvidersBackDisablesItsFeedsWithCaptureLost() {
    f.create("t", changes("public.orders", "wal"));
    db.execute("INSERT INTO public.orders VALUES (1, 'before')");
    f.awaitRow("t", 1);
    await().atMost(WAIT).until(() -> {
      db.execute("SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name LIKE 'whiskfeed%'"
          + " AND database = current_database() AND active_pid IS NOT NULL");
      try {
        db.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name LIKE "
            + "'whiskfeed%' AND database = current_database() AND NOT active");
      } catch (TestDatabase.SqlFailure racedWithTheReconnect) {
        return false;
      }
      return slots() == 0;
    });
    await().atMost(WAIT).until(() -> "disabled".equals(f.read("t").getJsonObject("status").getString("state")));
    JsonObject reason = f.read("t").getJsonObject("status").getJsonObject("reason");
    assertThat(reason.getString("kind")).isEqualTo("AUTO");
    assertThat(reason.getString("message")).startsWith("capture lost: replication slot whiskfeed_");
    // UPDATE captures again, on a new slot
    f.update("t", new JsonObject().put("events", "INSERT"));
    assertThat(f.read("t").getJsonObject("status").getString("state")).isEqualTo("active");
    db.execute("INSERT INTO public.orders VALUES (2, 'after')");
    f.awaitRow("t", 2);
  }

  @Test
  void schemaChangesMidStreamAreFollowedAndADroppedTableOrColumnDisablesTheFeed() {
    db.execute("CREATE TABLE public.a (id int PRIMARY KEY)");
    db.execute("CREATE TABLE public.u (id int PRIMARY KEY, email text)");
    f.create("onA", changes("public.a", "wal"));
    f.create("byEmail", changes("public.u", "wal").put("columns", "email"));
    f.create("all", changes("public.orders", "wal"));
    db.execute("INSERT INTO public.orders VALUES (1, 'before')");
    db.execute("ALTER TABLE public.orders ADD COLUMN note text");
    db.execute("INSERT INTO public.orders VALUES (2, 'after', 'added')");
    db.execute("ALTER TABLE public.orders DROP COLUMN status");
    db.execute("INSERT INTO public.orders VALUES (3, 'dropped')");
    List<JsonObject> fires = f.awaitRow("all", 3);
    assertThat(fires.stream().map(ChangesFixture::newRow).toList()).containsExactly(
        new JsonObject("{\"id\":1,\"status\":\"before\"}"),
        new JsonObject("{\"id\":2,\"status\":\"after\",\"note\":\"added\"}"),
        new JsonObject("{\"id\":3,\"note\":\"dropped\"}"));
    db.execute("DROP TABLE public.a");
    db.execute("ALTER TABLE public.u DROP COLUMN email");
    await().atMost(WAIT).until(() -> "disabled".equals(state("onA")) && "disabled".equals(state("byEmail")));
    assertThat(f.read("onA").getJsonObject("status").getJsonObject("reason").getString("message"))
        .contains("table public.a no longer exists");
    assertThat(f.read("byEmail").getJsonObject("status").getJsonObject("reason").getString("message"))
        .contains("column email of table public.u named in columns no longer exists");
    assertThat(state("all")).isEqualTo("active");
    f.delete("onA");
    f.delete("byEmail");
    f.delete("all");
    await().atMost(WAIT).until(() -> slots() == 0);
  }

  private String state(String trigger) {
    return f.read(trigger).getJsonObject("status").getString("state");
  }

  @Test
  void walAndTriggerCaptureCarryTheSamePayloadForEveryColumnType() {
    db.execute("CREATE TYPE public.mood AS ENUM ('sad', 'ok', 'very happy')");
    db.execute("CREATE DOMAIN public.posnum AS numeric CHECK (VALUE > 0)");
    db.execute("CREATE TYPE public.pair AS (a int, b text, c timestamptz[], d jsonb)");
    db.execute("""
        CREATE TABLE public.matrix (
          id int PRIMARY KEY, i2 smallint, i4 int, i8 bigint, num numeric, f4 real, f8 double precision, b boolean,
          t text, c char(5), vc varchar(10), u uuid, j json, jb jsonb, by bytea, d date, tm time, ttz timetz,
          ts timestamp, tstz timestamptz, iv interval, ia int[], ta text[], m2 int[][], m public.mood,
          dom public.posnum, comp public.pair, ip inet, r int4range, tr tstzrange, big text)""");
    f.create("trig", changes("public.matrix", "trigger"));
    f.create("wal", changes("public.matrix", "wal"));
    db.execute("""
        INSERT INTO public.matrix VALUES
        (1, -32768, 2147483647, 9007199254740993, 123456789012345678901234567890.123456789000, 'NaN', 'Infinity', true,
         E'ü "q" \\\\ \\n\\t\\u0001 😀 \\u2028', 'ab', 'x', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
         '{"a": 1, "a": 2, "b" : [1, 2.50]}', '{"z": 1, "a": [true, null, 1.0]}', '\\x00ff10', 'infinity', '24:00',
         '06:00+05:30', '2026-01-01 12:34:56.789', '2026-01-01 12:34:56.789+02', '1 year 2 mons 3 days 04:05:06.789',
         '{1,NULL,3}', '{"a b",NULL,"NULL",""}', '{{1,2},{3,NULL}}', 'very happy', 1.50,
         ROW(1, 'x, y', '{"2026-01-01 00:00+00",NULL}', '{"k": [1]}'), '10.0.0.1/8', '[1,5)',
         '[2026-01-01,infinity)', (SELECT string_agg(md5(g::text), '') FROM generate_series(1, 4000) g)),
        (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
         NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
        (3, 0, -1, -9223372036854775808, 'NaN', 1.5e-45, '-Infinity', false, '', '', '', NULL, '"s"', '[]', '',
         '0044-03-15 BC', '00:00', '23:59:59.999999-15:59', '-infinity', '1999-12-31 23:59:59.5-08',
         '-1 days +00:00:00.000001', '{}', '{}', '{}', 'sad', 0.000001, ROW(NULL, NULL, NULL, NULL), '::1', 'empty',
         '(,)', 'short')""");
    db.execute("UPDATE public.matrix SET b = NOT b, f8 = 0.1 WHERE id IN (1, 3)"); // big stays: an unchanged TOAST value
    db.execute("UPDATE public.matrix SET t = 'now' WHERE id = 2");
    db.execute("DELETE FROM public.matrix");
    int events = 3 + 3 + 3;
    await().atMost(WAIT).until(() -> db.queryLong("SELECT count(*) FROM whiskfeed.events e JOIN whiskfeed.feeds f "
        + "ON f.id = e.feed_id WHERE f.trigger = 'wal'") == events);
    assertThat(db.queryLong("SELECT count(*) FROM whiskfeed.events e JOIN whiskfeed.feeds f ON f.id = e.feed_id "
        + "WHERE f.trigger = 'trig'")).isEqualTo(events);
    List<Map<String, Object>> differences = db.query("""
        WITH ev AS (
          SELECT f.trigger, e.op, e.payload,
                 COALESCE(e.payload #>> '{data,new,id}', e.payload #>> '{data,old,id}') AS row_id
          FROM whiskfeed.events e JOIN whiskfeed.feeds f ON f.id = e.feed_id)
        SELECT t.op, t.row_id, side.k AS field, t.payload #> ARRAY['data', side.k] AS trigger_row,
               w.payload #> ARRAY['data', side.k] AS wal_row
        FROM ev t JOIN ev w ON w.trigger = 'wal' AND w.op = t.op AND w.row_id = t.row_id
        CROSS JOIN (VALUES ('old'), ('new')) side(k)
        WHERE t.trigger = 'trig' AND (t.payload #> ARRAY['data', side.k]) IS DISTINCT FROM (w.payload #> ARRAY['data', side.k])
        """);
    List<String> columns = new ArrayList<>();
    for (Map<String, Object> d : differences) {
      JsonObject trig = new JsonObject(String.valueOf(d.get("trigger_row")));
      JsonObject wal = new JsonObject(String.valueOf(d.get("wal_row")));
      trig.fieldNames().stream().filter(k -> !String.valueOf(trig.getValue(k)).equals(String.valueOf(wal.getValue(k))))
          .forEach(k -> columns.add(d.get("op") + " row " + d.get("row_id") + " " + d.get("field") + "." + k + ": trigger "
              + trig.getValue(k) + " wal " + wal.getValue(k)));
    }
    assertThat(columns).as("columns whose payloads differ").isEmpty();
    assertThat(differences).isEmpty();
    assertThat(db.queryLong("SELECT count(*) FROM whiskfeed.events WHERE op = 'UPDATE' "
        + "AND length(payload #>> '{data,new,big}') = 128000")).isEqualTo(2);
  }

  /** This database's slot (slots are cluster-wide: other tests' databases have theirs) is confirmed past {@code lsn}. */
  private boolean confirmedPast(String lsn) {
    return db.queryLong("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'whiskfeed_' || "
        + "(SELECT oid FROM pg_database WHERE datname = current_database()) AND confirmed_flush_lsn >= ?::pg_lsn", lsn) == 1;
  }

  private long slots() {
    return db.queryLong("SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'whiskfeed_' || "
        + "(SELECT oid FROM pg_database WHERE datname = current_database())");
  }

  private String identity(String table) {
    return String.valueOf(db.query("SELECT relreplident::text AS r FROM pg_class WHERE oid = ?::regclass", table)
        .get(0).get("r"));
  }
}
