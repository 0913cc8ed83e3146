package dev.whiskfeed.it;

import static dev.whiskfeed.it.ChangesFixture.newRow;
import static dev.whiskfeed.it.ChangesFixture.op;
import static dev.whiskfeed.it.ChangesFixture.rowId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.whiskfeed.testing.PgExtension;
import dev.whiskfeed.testing.TestDatabase;
import dev.whiskfeed.testing.TestPostgres;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Backfill of a changes feed end to end (API.md "Row filters and backfill"): every existing row
 * reaches the stand-in OpenWhisk once as a BACKFILL envelope, in chunks, resumable after a restart.
 * This class captures with triggers; {@link BackfillWalIT} runs every case reading the WAL.
 */
@ExtendWith(PgExtension.class)
class BackfillIT extends WithStandInOpenWhisk {
  static final int ROWS = 23;
  TestDatabase db;
  ChangesFixture f;

  String capture() {
    return "trigger";
  }

  JsonObject changes(String table) {
    return ChangesFixture.changes(table).put("capture", capture());
  }

  @BeforeEach
  void start(TestPostgres pg) {
    openwhisk.reset();
    db = pg.newDatabase("backfill");
    // types whose printing depends on session settings (time zone, interval and bytea output, floats)
    db.execute("""
        CREATE TABLE public.orders (id bigint PRIMARY KEY, status text, total numeric, at timestamptz,
          took interval, raw bytea, ratio float8, doc jsonb, tags text[], secret text)""");
    db.execute("""
        INSERT INTO public.orders
        SELECT i, 'new ' || i, i * 1.25, timestamptz '2026-01-02 03:04:05.678+02' + i * interval '1 day',
               i * interval '1 hour 2 minutes', ('\\x0' || mod(i, 10))::bytea, i / 3.0, jsonb_build_object('n', i),
               ARRAY['a', i::text], 'hidden'
        FROM generate_series(1, %d) i""".formatted(ROWS));
    // a small chunk size, so a backfill of 23 rows is five chunks
    f = new ChangesFixture(openwhisk, db, Map.of("WHISKFEED_BACKFILL_CHUNK_ROWS", "5",
        "WHISKFEED_BACKFILL_PAUSE_MS", "0"));
  }

  @AfterEach
  void stop() throws Exception {
    f.close();
  }

  JsonObject awaitBackfill(String trigger, String state) {
    await().atMost(ChangesFixture.WAIT).until(() -> {
      JsonObject b = f.read(trigger).getJsonObject("status").getJsonObject("backfill");
      return b != null && state.equals(b.getString("state"));
    });
    return f.read(trigger).getJsonObject("status").getJsonObject("backfill");
  }

  long storedBackfillEvents() {
    return db.queryLong("SELECT count(*) FROM whiskfeed.events WHERE op = 'BACKFILL'");
  }

  @Test
  void backfillOnCreateFiresEveryExistingRowOnceWithTheInsertPayload() {
    f.create("t", changes("public.orders").put("backfill", true).put("payloadColumns", "id,status,total,at,took,raw,"
        + "ratio,doc,tags"));
    JsonObject status = awaitBackfill("t", "done");
    assertThat(status).isEqualTo(new JsonObject().put("state", "done").put("rows", ROWS).put("total", ROWS));
    assertThat(f.read("t").getJsonObject("config").containsKey("backfill")).isFalse();

    List<JsonObject> fires = f.awaitFires("t", ROWS);
    assertThat(fires).extracting(ChangesFixture::op).containsOnly("BACKFILL");
    assertThat(fires).extracting(ChangesFixture::rowId).doesNotHaveDuplicates().hasSize(ROWS);
    assertThat(storedBackfillEvents()).isEqualTo(ROWS);

    // the same row inserted again (deleted and inserted in one statement): its INSERT payload is the BACKFILL's
    db.execute("WITH d AS (DELETE FROM public.orders WHERE id = 7 RETURNING *) INSERT INTO public.orders SELECT * FROM d");
    List<JsonObject> all = f.awaitFires("t", ROWS + 2);
    JsonObject insert = all.stream().filter(e -> op(e).equals("INSERT")).findFirst().orElseThrow();
    JsonObject backfill = all.stream().filter(e -> op(e).equals("BACKFILL") && rowId(e) == 7).findFirst().orElseThrow();
    assertThat(newRow(backfill)).isEqualTo(newRow(insert));
    assertThat(newRow(backfill).containsKey("secret")).isFalse();
    assertThat(backfill.getJsonObject("table")).isEqualTo(insert.getJsonObject("table"));
    assertThat(backfill.getJsonObject("event").getJsonObject("data").getValue("old")).isNull();
  }

  @Test
  void postBackfillOfAnExistingFeedAnswers202AndThen409WhileItRuns() throws Exception {
    f.stop();
    f.env.put("WHISKFEED_BACKFILL_PAUSE_MS", "60000"); // one chunk, then a long pause: it stays running
    f.start();
    f.create("t", changes("public.orders"));
    assertThat(f.read("t").getJsonObject("status").containsKey("backfill")).isFalse();

    Api.Response started = f.api.backfill("guest", "t", null);
    assertThat(started.status()).as(started.body()).isEqualTo(202);
    assertThat(started.json().getJsonObject("backfill"))
        .isEqualTo(new JsonObject().put("state", "running").put("rows", 0).put("total", ROWS));
    await().atMost(ChangesFixture.WAIT).until(() -> storedBackfillEvents() == 5);

    Api.Response again = f.api.backfill("guest", "t", new JsonObject());
    assertThat(again.status()).as(again.body()).isEqualTo(409);
    assertThat(again.code()).isEqualTo("backfill_running");
    assertThat(f.read("t").getJsonObject("status").getJsonObject("backfill").getLong("rows")).isEqualTo(5);

    // DELETE stops it: the provider stops at once (no chunk waits), and nothing is left of it
    f.delete("t");
    assertThat(db.queryLong("SELECT count(*) FROM whiskfeed.backfills")).isZero();
    assertThat(db.queryLong("SELECT count(*) FROM whiskfeed.event_status WHERE state = 'pending'")).isZero();
  }

  @Test
  void aTableWithoutPrimaryKeyIs400AndNothingIsStored() {
    db.execute("CREATE TABLE public.notes (body text)");
    db.execute("INSERT INTO public.notes VALUES ('a'), ('b')");

    Api.Response create = f.api.create("guest", "t", changes("public.notes").put("backfill", true));
    assertThat(create.status()).as(create.body()).isEqualTo(400);
    assertThat(create.error()).contains("table public.notes has no primary key");
    assertThat(f.api.read("guest", "t").status()).isEqualTo(404);
    assertThat(f.captureTriggers()).isZero();

    f.create("t", changes("public.notes"));
    Api.Response post = f.api.backfill("guest", "t", null);
    assertThat(post.status()).as(post.body()).isEqualTo(400);
    assertThat(post.error()).contains("no primary key");
    assertThat(f.read("t").getJsonObject("status").containsKey("backfill")).isFalse();
    assertThat(db.queryLong("SELECT count(*) FROM whiskfeed.backfills")).isZero();
    assertThat(db.queryLong("SELECT count(*) FROM whiskfeed.events")).isZero();
  }

  @Test
  void badBackfillRequestsAre400AndChangeNothing() {
    f.create("t", changes("public.orders"));
    Api.Response update = f.api.update("guest", "t", new JsonObject().put("backfill", true));
    assertThat(update.status()).as(update.body()).isEqualTo(400);
    assertThat(update.error()).contains("CREATE only");
    Api.Response notBool = f.api.create("guest", "u", changes("public.orders").put("backfill", "yes"));
    assertThat(notBool.status()).as(notBool.body()).isEqualTo(400);
    Api.Response unknown = f.api.backfill("guest", "t", new JsonObject().put("from", 3));
    assertThat(unknown.status()).as(unknown.body()).isEqualTo(400);
    Api.Response where = f.api.backfill("guest", "t", new JsonObject().put("where",
        new JsonObject().put("nope", new JsonObject().put("_eq", "paid"))));
    assertThat(where.status()).as(where.body()).isEqualTo(400);
    assertThat(where.error()).contains("has no column nope");
    Api.Response badValue = f.api.backfill("guest", "t", new JsonObject().put("where",
        new JsonObject().put("id", new JsonObject().put("_gt", "x' OR 1=1 --"))));
    assertThat(badValue.status()).as(badValue.body()).isEqualTo(400);
    assertThat(f.api.backfill("guest", "nope", null).status()).isEqualTo(404);
    assertThat(db.queryLong("SELECT count(*) FROM whiskfeed.backfills")).isZero();
    assertThat(storedBackfillEvents()).isZero();
  }

  @Test
  void aBackfillWithWhereEmitsTheRowsMatchingItAndTheFeedsOwnWhere() {
    f.create("t", changes("public.orders").put("where", new JsonObject().put("status",
        new JsonObject().put("_like", "new 1%"))));
    Api.Response started = f.api.backfill("guest", "t", new JsonObject().put("where",
        new JsonObject().put("id", new JsonObject().put("_lte", 12))));
    assertThat(started.status()).as(started.body()).isEqualTo(202);
    assertThat(started.json().getJsonObject("backfill").getLong("total")).isEqualTo(4);
    assertThat(awaitBackfill("t", "done").getLong("rows")).isEqualTo(4);
    assertThat(f.awaitFires("t", 4)).extracting(ChangesFixture::rowId).containsExactlyInAnyOrder(1L, 10L, 11L, 12L);
    assertThat(storedBackfillEvents()).isEqualTo(4);
  }

  @Test
  void aTableInASourceDatabaseIsBackfilledIntoItsFeedsEventStore(TestPostgres pg) throws Exception {
    TestDatabase orders = pg.newDatabase("backfill_src");
    orders.execute("CREATE TABLE public.items (sku text, bin int, qty numeric, at timestamptz, PRIMARY KEY (sku, bin))");
    orders.execute("INSERT INTO public.items SELECT 'sku ' || (i % 4), i, i * 0.5, timestamptz '2026-01-01 00:00+05' "
        + "+ i * interval '1 minute' FROM generate_series(1, 13) i");
    f.stop();
    f.env.put("WHISKFEED_SOURCES", "orders=" + orders.url());
    f.env.put("WHISKFEED_SOURCE_NAMESPACES", "control=*;orders=*");
    f.start();
    f.create("t", changes("public.items").put("source", "orders").put("backfill", true));
    assertThat(awaitBackfill("t", "done")).isEqualTo(new JsonObject().put("state", "done").put("rows", 13).put("total", 13));
    // WAL capture stores the events in the control database; trigger capture in the source
    TestDatabase store = capture().equals("wal") ? db : orders;
    assertThat(store.queryLong("SELECT count(DISTINCT payload->'data'->'new'->>'bin') FROM whiskfeed.events "
        + "WHERE op = 'BACKFILL'")).isEqualTo(13);
    assertThat(store.queryLong("SELECT count(*) FROM whiskfeed.events WHERE op = 'BACKFILL'")).isEqualTo(13);
    orders.execute("WITH d AS (DELETE FROM public.items WHERE bin = 6 RETURNING *) INSERT INTO public.items SELECT * FROM d");
    List<JsonObject> all = f.awaitFires("t", 15);
    JsonObject insert = all.stream().filter(e -> op(e).equals("INSERT")).findFirst().orElseThrow();
    JsonObject backfill = all.stream().filter(e -> op(e).equals("BACKFILL") && newRow(e).getInteger("bin") == 6)
        .findFirst().orElseThrow();
    assertThat(newRow(backfill)).isEqualTo(newRow(insert));
    // composite keys are read in key order: (sku, bin)
    List<String> keys = store.query("SELECT (payload->'data'->'new'->>'sku') || '/' || lpad(payload->'data'->'new'->>'bin', 3, '0') "
        + "AS k FROM whiskfeed.events WHERE op = 'BACKFILL' ORDER BY seq").stream().map(r -> (String) r.get("k")).toList();
    assertThat(keys).isSorted();
  }

  @Test
  void aBackfillGoesOnAfterARestartWithNoRowMissingAndNoneTwice() throws Exception {
    f.stop();
    f.env.put("WHISKFEED_BACKFILL_PAUSE_MS", "60000");
    f.start();
    f.create("t", changes("public.orders").put("backfill", true));
    await().atMost(ChangesFixture.WAIT).until(() -> storedBackfillEvents() == 5);
    f.stop();
    assertThat(db.queryLong("SELECT rows FROM whiskfeed.backfills")).isEqualTo(5);
    // as after a crash between a chunk's events and its progress: the next start runs that chunk again
    db.execute("UPDATE whiskfeed.backfills SET last_key = NULL, rows = 0");

    f.env.put("WHISKFEED_BACKFILL_PAUSE_MS", "0");
    f.start();
    JsonObject status = awaitBackfill("t", "done");
    assertThat(status.getLong("rows")).isEqualTo(ROWS);
    assertThat(db.queryLong("""
        SELECT count(*) FROM (SELECT payload->'data'->'new'->>'id' AS id FROM whiskfeed.events WHERE op = 'BACKFILL'
                              GROUP BY 1 HAVING count(*) = 1) once""")).isEqualTo(ROWS);
    assertThat(storedBackfillEvents()).isEqualTo(ROWS);
    assertThat(f.awaitFires("t", ROWS)).extracting(ChangesFixture::rowId).doesNotHaveDuplicates().hasSize(ROWS);
  }

  @Test
  void aRowWrittenAfterCreateArrivesLiveAndABackfillAgainAfterDoneStartsANewRun() {
    f.create("t", changes("public.orders").put("backfill", true).put("ordered", true));
    db.execute("INSERT INTO public.orders (id, status) VALUES (1000, 'live')");
    // the live row may arrive both ways: as its INSERT, and in the backfill when it read that far after the commit
    long first = awaitBackfill("t", "done").getLong("rows");
    assertThat(first).isBetween((long) ROWS, ROWS + 1L);
    f.awaitRow("t", 1000);
    List<JsonObject> fires = f.awaitFires("t", ROWS + 1);
    assertThat(fires.stream().filter(e -> op(e).equals("INSERT")).map(ChangesFixture::rowId)).containsExactly(1000L);
    // ordered: the backfill's events arrive in primary-key order
    assertThat(fires.stream().filter(e -> op(e).equals("BACKFILL")).map(ChangesFixture::rowId).toList())
        .isSorted().hasSizeGreaterThanOrEqualTo(ROWS);

    Api.Response again = f.api.backfill("guest", "t", null);
    assertThat(again.status()).as(again.body()).isEqualTo(202);
    JsonObject second = awaitBackfill("t", "done");
    assertThat(second.getLong("rows")).isEqualTo(ROWS + 1);
    assertThat(storedBackfillEvents()).isEqualTo(first + ROWS + 1);
  }
}
