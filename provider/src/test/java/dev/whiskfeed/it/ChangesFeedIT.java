package dev.whiskfeed.it;

import static dev.whiskfeed.it.ChangesFixture.exec;
import static dev.whiskfeed.it.ChangesFixture.newRow;
import static dev.whiskfeed.it.ChangesFixture.oldRow;
import static dev.whiskfeed.it.ChangesFixture.op;
import static dev.whiskfeed.it.ChangesFixture.rowId;
import static org.assertj.core.api.Assertions.assertThat;

import dev.whiskfeed.testing.PgExtension;
import dev.whiskfeed.testing.TestDatabase;
import dev.whiskfeed.testing.TestPostgres;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.sql.Connection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The changes feed end to end: committed row changes reach the stand-in OpenWhisk as Hasura
 * envelopes. This class captures with triggers; {@link ChangesFeedWalIT} runs every case again
 * reading the write-ahead log.
 */
@ExtendWith(PgExtension.class)
class ChangesFeedIT extends WithStandInOpenWhisk {
  TestDatabase db;
  ChangesFixture f;

  /** The capture mode every feed of this class asks for. */
  String capture() {
    return "trigger";
  }

  boolean wal() {
    return capture().equals("wal");
  }

  JsonObject changes(String table) {
    return ChangesFixture.changes(table).put("capture", capture());
  }

  /** Trigger capture stores an event in the writer's transaction; WAL capture a moment after its commit. */
  void awaitStored(String where, long n) {
    if (wal()) {
      org.awaitility.Awaitility.await().atMost(ChangesFixture.WAIT)
          .until(() -> db.queryLong("SELECT count(*) FROM whiskfeed.events " + where) >= n);
    }
    assertThat(db.queryLong("SELECT count(*) FROM whiskfeed.events " + where)).isEqualTo(n);
  }

  @BeforeEach
  void start(TestPostgres pg) {
    openwhisk.reset();
    db = pg.newDatabase("changes");
    db.execute("CREATE TABLE public.orders (id bigint PRIMARY KEY, status text, total numeric, note text)");
    f = new ChangesFixture(openwhisk, db, Map.of());
  }

  @AfterEach
  void stop() throws Exception {
    f.close();
  }

  @Test
  void insertUpdateDeleteEachFireOneEnvelope() {
    JsonObject feed = f.create("orderChanged", changes("public.orders"));
    assertThat(feed.getJsonObject("config").getString("table")).isEqualTo("public.orders");
    assertThat(feed.getJsonObject("config").getJsonArray("events")).isEqualTo(new JsonArray(List.of("INSERT", "UPDATE",
        "DELETE")));
    assertThat(feed.getJsonObject("config").getString("mode")).isEqualTo("listen");

    db.execute("INSERT INTO public.orders VALUES (1, 'new', 9.5, NULL)");
    db.execute("UPDATE public.orders SET status = 'paid' WHERE id = 1");
    db.execute("DELETE FROM public.orders WHERE id = 1");

    List<JsonObject> fires = f.awaitFires("orderChanged", 3);
    assertThat(fires).extracting(ChangesFixture::op).containsExactlyInAnyOrder("INSERT", "UPDATE", "DELETE");
    JsonObject insert = fires.stream().filter(e -> op(e).equals("INSERT")).findFirst().orElseThrow();
    assertThat(insert.getString("id")).isNotBlank();
    assertThat(insert.getString("created_at")).endsWith("Z");
    assertThat(insert.getJsonObject("trigger")).isEqualTo(new JsonObject().put("name", "/guest/orderChanged"));
    assertThat(insert.getJsonObject("table")).isEqualTo(new JsonObject().put("schema", "public").put("name", "orders"));
    assertThat(insert.getJsonObject("event").getJsonObject("data").getValue("old")).isNull();
    assertThat(insert.getJsonObject("event").fieldNames()).contains("session_variables", "trace_context");
    assertThat(insert.getJsonObject("event").getValue("session_variables")).isNull();
    assertThat(insert.getJsonObject("event").getValue("trace_context")).isNull();
    assertThat(newRow(insert)).isEqualTo(new JsonObject("{\"id\":1,\"status\":\"new\",\"total\":9.5,\"note\":null}"));
    assertThat(insert.getJsonObject("delivery_info")).isEqualTo(new JsonObject().put("max_retries", 12)
        .put("current_retry", 0));
    JsonObject update = fires.stream().filter(e -> op(e).equals("UPDATE")).findFirst().orElseThrow();
    assertThat(oldRow(update).getString("status")).isEqualTo("new");
    assertThat(newRow(update).getString("status")).isEqualTo("paid");
    JsonObject delete = fires.stream().filter(e -> op(e).equals("DELETE")).findFirst().orElseThrow();
    assertThat(oldRow(delete).getString("status")).isEqualTo("paid");
    assertThat(delete.getJsonObject("event").getJsonObject("data").getValue("new")).isNull();
    assertThat(fires).extracting(e -> e.getString("id")).doesNotHaveDuplicates();
  }

  @Test
  void rollbackAndRollbackToSavepointFireNothing() {
    f.create("t", changes("public.orders"));
    try (Connection c = db.connect()) {
      c.setAutoCommit(false);
      exec(c, "INSERT INTO public.orders (id) VALUES (1)");
      c.rollback();
      exec(c, "INSERT INTO public.orders (id) VALUES (2)");
      exec(c, "SAVEPOINT s");
      exec(c, "INSERT INTO public.orders (id) VALUES (3)");
      exec(c, "UPDATE public.orders SET status = 'x' WHERE id = 2");
      exec(c, "ROLLBACK TO SAVEPOINT s");
      c.commit();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    db.execute("INSERT INTO public.orders (id) VALUES (99)");
    awaitStored("", 2);
    List<JsonObject> fires = f.awaitFires("t", 2);
    assertThat(fires).extracting(ChangesFixture::rowId).containsExactlyInAnyOrder(2L, 99L);
    assertThat(fires).extracting(ChangesFixture::op).containsOnly("INSERT");
  }

  @Test
  void aChangeCommittedWhileTheProviderIsStoppedFiresAfterStart() throws Exception {
    f.create("t", changes("public.orders"));
    f.stop();
    db.execute("INSERT INTO public.orders (id) VALUES (7)");
    // a trigger stored the event with the row; the slot keeps the change until the provider reads it
    assertThat(db.queryLong("SELECT count(*) FROM whiskfeed.event_status WHERE state = 'pending'")).isEqualTo(wal() ? 0 : 1);
    f.start();
    assertThat(f.awaitFires("t", 1)).extracting(ChangesFixture::rowId).containsExactly(7L);
  }

  @Test
  void aTransactionThatInsertsFirstButCommitsLastFiresToo() throws Exception {
    f.create("t", changes("public.orders"));
    try (Connection a = db.connect(); Connection b = db.connect()) {
      a.setAutoCommit(false);
      b.setAutoCommit(false);
      exec(a, "INSERT INTO public.orders (id) VALUES (1)");
      exec(b, "INSERT INTO public.orders (id) VALUES (2)");
      b.commit();
      f.awaitRow("t", 2);
      a.commit();
    }
    assertThat(f.awaitRow("t", 1)).extracting(ChangesFixture::rowId).containsExactlyInAnyOrder(1L, 2L);
  }

  @Test
  void oneUpdateOf1000RowsFires1000DistinctEvents() {
    db.execute("INSERT INTO public.orders (id, total) SELECT g, g FROM generate_series(1, 1000) g");
    f.create("t", changes("public.orders").put("events", "UPDATE").put("batchSize", 1));
    db.execute("UPDATE public.orders SET total = total + 1");
    List<JsonObject> fires = f.awaitFires("t", 1000);
    assertThat(fires).hasSize(1000);
    assertThat(fires).extracting(e -> e.getString("id")).doesNotHaveDuplicates();
    Set<Long> ids = new HashSet<>();
    for (JsonObject e : fires) {
      assertThat(op(e)).isEqualTo("UPDATE");
      long id = oldRow(e).getLong("id");
      assertThat(newRow(e).getLong("id")).isEqualTo(id);
      assertThat(oldRow(e).getLong("total")).isEqualTo(id);
      assertThat(newRow(e).getLong("total")).isEqualTo(id + 1);
      ids.add(id);
    }
    assertThat(ids).hasSize(1000);
  }

  @Test
  void anUpdateOfTheKeyPairsEachOldRowWithItsNewRow() {
    db.execute("INSERT INTO public.orders (id, status) SELECT g, 's' || g FROM generate_series(1, 50) g");
    f.create("t", changes("public.orders").put("events", new JsonArray().add("UPDATE")));
    db.execute("UPDATE public.orders SET id = id + 1000");
    List<JsonObject> fires = f.awaitFires("t", 50);
    for (JsonObject e : fires) {
      assertThat(newRow(e).getLong("id")).isEqualTo(oldRow(e).getLong("id") + 1000);
      assertThat(newRow(e).getString("status")).isEqualTo(oldRow(e).getString("status"))
          .isEqualTo("s" + oldRow(e).getLong("id"));
    }
  }

  @Test
  void eventsColumnsAndPayloadColumnsChooseWhatFiresAndWhatItCarries() {
    db.execute("INSERT INTO public.orders VALUES (1, 'new', 1, 'a')");
    f.create("statusOnly", changes("public.orders").put("events", "UPDATE").put("columns", "status")
        .put("payloadColumns", new JsonArray().add("id").add("status")));
    f.create("insertsAndDeletes", changes("public.orders").put("events", "insert, delete"));
    JsonObject config = f.read("statusOnly").getJsonObject("config");
    assertThat(config.getJsonArray("columns")).isEqualTo(new JsonArray().add("status"));
    assertThat(config.getJsonArray("payloadColumns")).isEqualTo(new JsonArray().add("id").add("status"));
    assertThat(f.read("insertsAndDeletes").getJsonObject("config").getJsonArray("events"))
        .isEqualTo(new JsonArray().add("INSERT").add("DELETE"));

    db.execute("UPDATE public.orders SET note = 'b', total = 2 WHERE id = 1"); // not a status change
    db.execute("UPDATE public.orders SET status = 'paid' WHERE id = 1");
    db.execute("INSERT INTO public.orders VALUES (2, 'new', 1, 'a')");
    db.execute("DELETE FROM public.orders WHERE id = 2");

    List<JsonObject> status = f.awaitFires("statusOnly", 1);
    List<JsonObject> other = f.awaitFires("insertsAndDeletes", 2);
    db.execute("UPDATE public.orders SET status = 'shipped' WHERE id = 1");
    status = f.awaitFires("statusOnly", 2);
    assertThat(status).hasSize(2);
    assertThat(oldRow(status.get(0))).isEqualTo(new JsonObject().put("id", 1).put("status", "new"));
    assertThat(newRow(status.get(0))).isEqualTo(new JsonObject().put("id", 1).put("status", "paid"));
    assertThat(other).extracting(ChangesFixture::op).containsExactlyInAnyOrder("INSERT", "DELETE");
    assertThat(f.fires("insertsAndDeletes")).hasSize(2);
  }

  @Test
  void aNoOpUpdateNeverFires() {
    db.execute("INSERT INTO public.orders VALUES (1, 'new', 1.50, 'a')");
    f.create("t", changes("public.orders").put("events", "UPDATE"));
    db.execute("UPDATE public.orders SET status = status, note = note");
    db.execute("UPDATE public.orders SET status = 'new' WHERE id = 1");
    db.execute("UPDATE public.orders SET note = 'marker' WHERE id = 1");
    List<JsonObject> fires = f.awaitFires("t", 1);
    assertThat(db.queryLong("SELECT count(*) FROM whiskfeed.events")).isEqualTo(1);
    assertThat(fires).hasSize(1);
    assertThat(newRow(fires.get(0)).getString("note")).isEqualTo("marker");
  }

  @Test
  void nullTransitionsAreChangesJsonColumnsIncluded() {
    db.execute("CREATE TABLE public.docs (id int PRIMARY KEY, n int, j jsonb, js json)");
    db.execute("INSERT INTO public.docs VALUES (1, NULL, NULL, NULL)");
    f.create("t", changes("public.docs").put("events", "UPDATE"));
    db.execute("UPDATE public.docs SET n = 1");                       // NULL -> value
    db.execute("UPDATE public.docs SET n = NULL");                    // value -> NULL
    db.execute("UPDATE public.docs SET j = '{\"a\": 1}'");            // NULL -> jsonb
    db.execute("UPDATE public.docs SET j = '{\"a\": 1}'");            // no change
    db.execute("UPDATE public.docs SET js = '[1, 2]'");               // NULL -> json
    db.execute("UPDATE public.docs SET js = '[1,2]'");                // the same json, spelled differently
    db.execute("UPDATE public.docs SET js = NULL, j = NULL");         // json and jsonb -> NULL
    db.execute("UPDATE public.docs SET n = 99");                      // marker
    List<JsonObject> fires = f.awaitFires("t", 6);
    assertThat(fires).hasSize(6);
    List<String> transitions = fires.stream().map(e -> oldRow(e).encode() + " -> " + newRow(e).encode()).toList();
    assertThat(transitions).containsExactlyInAnyOrder(
        "{\"j\":null,\"n\":null,\"id\":1,\"js\":null} -> {\"j\":null,\"n\":1,\"id\":1,\"js\":null}",
        "{\"j\":null,\"n\":1,\"id\":1,\"js\":null} -> {\"j\":null,\"n\":null,\"id\":1,\"js\":null}",
        "{\"j\":null,\"n\":null,\"id\":1,\"js\":null} -> {\"j\":{\"a\":1},\"n\":null,\"id\":1,\"js\":null}",
        "{\"j\":{\"a\":1},\"n\":null,\"id\":1,\"js\":null} -> {\"j\":{\"a\":1},\"n\":null,\"id\":1,\"js\":[1,2]}",
        "{\"j\":{\"a\":1},\"n\":null,\"id\":1,\"js\":[1,2]} -> {\"j\":null,\"n\":null,\"id\":1,\"js\":null}",
        "{\"j\":null,\"n\":null,\"id\":1,\"js\":null} -> {\"j\":null,\"n\":99,\"id\":1,\"js\":null}");
  }

  @Test
  void twoFeedsOnOneTableEachGetEveryEvent() {
    f.create("a", changes("public.orders"));
    f.create("b", changes("orders").put("events", new JsonArray().add("INSERT").add("UPDATE").add("DELETE")));
    db.execute("INSERT INTO public.orders (id) SELECT g FROM generate_series(1, 20) g");
    db.execute("DELETE FROM public.orders WHERE id <= 5");
    assertThat(f.awaitFires("a", 25)).hasSize(25);
    assertThat(f.awaitFires("b", 25)).hasSize(25);
    assertThat(f.fires("a")).extracting(e -> e.getString("id"))
        .doesNotContainAnyElementsOf(f.fires("b").stream().map(e -> e.getString("id")).toList());
  }

  @Test
  void truncateIsCapturedAsOneEventWithDelete() {
    db.execute("INSERT INTO public.orders (id) SELECT g FROM generate_series(1, 3) g");
    f.create("all", changes("public.orders"));
    f.create("inserts", changes("public.orders").put("events", "INSERT"));
    db.execute("TRUNCATE public.orders");
    db.execute("INSERT INTO public.orders (id) VALUES (42)");
    f.awaitRow("inserts", 42);
    List<JsonObject> fires = f.awaitFires("all", 2);
    assertThat(fires).extracting(ChangesFixture::op).containsExactlyInAnyOrder("TRUNCATE", "INSERT");
    JsonObject truncate = fires.stream().filter(e -> op(e).equals("TRUNCATE")).findFirst().orElseThrow();
    assertThat(truncate.getJsonObject("event").getJsonObject("data"))
        .isEqualTo(new JsonObject().putNull("old").putNull("new"));
    assertThat(f.fires("inserts")).hasSize(1);
  }

  @Test
  void updateReplacesCaptureAndEventsAlreadyCapturedKeepFlowing() {
    f.create("t", changes("public.orders").put("events", "INSERT"));
    assertThat(f.api.pause("guest", "t").status()).isEqualTo(200);
    db.execute("INSERT INTO public.orders (id) VALUES (1)"); // captured, waiting
    awaitStored("", 1); // WAL capture applies an UPDATE to changes decoded after it
    f.update("t", new JsonObject().put("events", "UPDATE"));
    if (!wal()) {
      assertThat(db.query("SELECT tgname FROM pg_trigger WHERE tgname LIKE 'whiskfeed%'"))
          .extracting(r -> r.get("tgname")).containsExactly("whiskfeed_" + feedId("t") + "_update");
    }
    db.execute("INSERT INTO public.orders (id) VALUES (2)"); // not captured any more
    db.execute("UPDATE public.orders SET status = 'x' WHERE id = 1");
    assertThat(f.api.unpause("guest", "t").status()).isEqualTo(200);
    List<JsonObject> fires = f.awaitFires("t", 2);
    assertThat(fires).extracting(e -> op(e) + rowId(e)).containsExactlyInAnyOrder("INSERT1", "UPDATE1");
  }

  @Test
  void deleteRemovesCaptureAndTheLastFeedLeavesTheTableAsItWas() {
    db.execute("CREATE FUNCTION public.touch() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END'");
    db.execute("CREATE TRIGGER users_own BEFORE INSERT ON public.orders FOR EACH ROW EXECUTE FUNCTION public.touch()");
    List<Map<String, Object>> before = triggersOnOrders();
    String identityBefore = replicaIdentity();
    f.create("a", changes("public.orders"));
    f.create("b", changes("public.orders").put("events", "INSERT"));
    assertThat(f.captureTriggers()).isEqualTo(wal() ? 0 : 5);
    assertThat(f.captureFunctions()).isEqualTo(wal() ? 0 : 2);
    assertThat(published()).isEqualTo(wal() ? 1 : 0);
    f.delete("a");
    assertThat(f.captureTriggers()).isEqualTo(wal() ? 0 : 1);
    assertThat(f.captureFunctions()).isEqualTo(wal() ? 0 : 1);
    assertThat(published()).isEqualTo(wal() ? 1 : 0);
    db.execute("INSERT INTO public.orders (id) VALUES (1)");
    f.awaitFires("b", 1);
    f.delete("b");
    assertThat(f.captureTriggers()).isZero();
    assertThat(f.captureFunctions()).isZero();
    assertThat(published()).isZero();
    assertThat(replicaIdentity()).isEqualTo(identityBefore);
    assertThat(triggersOnOrders()).isEqualTo(before);
    db.execute("INSERT INTO public.orders (id) VALUES (2)");
    assertThat(db.queryLong("SELECT count(*) FROM whiskfeed.events WHERE payload #>> '{data,new,id}' = '2'")).isZero();
  }

  private long published() {
    return db.queryLong("SELECT count(*) FROM pg_publication_tables WHERE pubname = 'whiskfeed'");
  }

  private String replicaIdentity() {
    return String.valueOf(db.query("SELECT relreplident::text AS r FROM pg_class WHERE oid = 'public.orders'::regclass")
        .get(0).get("r"));
  }

  private List<Map<String, Object>> triggersOnOrders() {
    return db.query("SELECT tgname, tgfoid::regprocedure::text AS f, tgtype, tgenabled::text AS e FROM pg_trigger "
        + "WHERE tgrelid = 'public.orders'::regclass ORDER BY tgname");
  }

  private long feedId(String trigger) {
    return db.queryLong("SELECT id FROM whiskfeed.feeds WHERE trigger = ?", trigger);
  }
}
