package dev.whiskfeed.it;

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
 * Row filters ({@code where}) end to end with trigger capture; {@link RowFilterWalIT} runs every
 * case again reading the write-ahead log. "Nothing else fired" is shown by a marker row that the
 * filter takes, committed last.
 */
@ExtendWith(PgExtension.class)
class RowFilterIT extends WithStandInOpenWhisk {
  TestDatabase db;
  ChangesFixture f;

  String capture() {
    return "trigger";
  }

  JsonObject changes(JsonObject where) {
    return ChangesFixture.changes("public.orders").put("capture", capture()).put("where", where);
  }

  @BeforeEach
  void start(TestPostgres pg) {
    openwhisk.reset();
    db = pg.newDatabase("filters");
    db.execute("CREATE TABLE public.orders (id bigint PRIMARY KEY, status text, total numeric, note text)");
    f = new ChangesFixture(openwhisk, db, Map.of());
  }

  @AfterEach
  void stop() throws Exception {
    f.close();
  }

  @Test
  void onlyMatchingRowsFireNewRowForInsertAndUpdateOldRowForDelete() {
    JsonObject feed = f.create("paid", changes(new JsonObject(
        "{\"status\": {\"_eq\": \"paid\"}, \"total\": {\"_gt\": 100}}")));
    assertThat(feed.getJsonObject("config").getJsonObject("where"))
        .isEqualTo(new JsonObject("{\"status\": {\"_eq\": \"paid\"}, \"total\": {\"_gt\": \"100\"}}"));

    db.execute("INSERT INTO public.orders VALUES (1, 'paid', 150, NULL), (2, 'paid', 50, NULL), (3, 'new', 500, NULL),"
        + " (4, NULL, 500, NULL)");
    db.execute("UPDATE public.orders SET status = 'paid' WHERE id IN (3, 4)"); // 3 and 4 now match
    db.execute("UPDATE public.orders SET status = 'refunded' WHERE id = 1"); // new row no longer matches
    db.execute("DELETE FROM public.orders WHERE id IN (2, 3)"); // old row of 3 matches, of 2 does not
    db.execute("INSERT INTO public.orders VALUES (99, 'paid', 1000, 'marker')");

    List<JsonObject> fires = f.awaitRow("paid", 99);
    assertThat(fires).extracting(e -> ChangesFixture.op(e) + ":" + ChangesFixture.rowId(e))
        .containsExactly("INSERT:1", "UPDATE:3", "UPDATE:4", "DELETE:3", "INSERT:99");
  }

  @Test
  void orNotInLikeAndIsNullCombine() {
    f.create("t", changes(new JsonObject("""
        {"_or": [
           {"note": {"_like": "VIP%"}},
           {"_and": [{"status": {"_in": ["paid", "shipped"]}}, {"_not": {"total": {"_lte": 10}}}]},
           {"note": {"_ilike": "%urgent\\\\_%"}}
         ],
         "id": {"_is_null": false}}""")));
    db.execute("""
        INSERT INTO public.orders VALUES
          (1, 'new', 1, 'VIP customer'), (2, 'new', 1, 'vip lower case'), (3, 'paid', 11, NULL),
          (4, 'paid', 10, NULL), (5, 'shipped', NULL, NULL), (6, 'new', 1, 'is URGENT_ now'),
          (7, 'new', 1, 'urgentX'), (8, 'open', 50, NULL)""");
    db.execute("INSERT INTO public.orders VALUES (99, 'paid', 1000, 'marker')");
    // 5: NOT (NULL <= 10) is unknown, so the row does not match, as in SQL
    assertThat(f.awaitRow("t", 99)).extracting(ChangesFixture::rowId).containsExactly(1L, 3L, 6L, 99L);
  }

  @Test
  void aValueIsDataNeverSql() {
    f.create("t", changes(new JsonObject().put("status", new JsonObject().put("_eq", "paid' OR 1=1 --"))));
    db.execute("INSERT INTO public.orders VALUES (1, 'paid', 1, NULL), (2, 'paid'' OR 1=1 --', 1, NULL)");
    db.execute("INSERT INTO public.orders VALUES (99, 'paid'' OR 1=1 --', 1, 'marker')");
    assertThat(f.awaitRow("t", 99)).extracting(ChangesFixture::rowId).containsExactly(2L, 99L);
  }

  @Test
  void updateOfWhereAppliesToLaterChangesAndReadShowsIt() {
    f.create("t", changes(new JsonObject("{\"status\": {\"_eq\": \"a\"}}")));
    db.execute("INSERT INTO public.orders VALUES (1, 'a', 1, NULL), (2, 'b', 1, NULL)");
    f.awaitRow("t", 1);
    JsonObject updated = f.update("t", new JsonObject().put("where", new JsonObject("{\"status\": {\"_eq\": \"b\"}}")));
    assertThat(updated.getJsonObject("config").getJsonObject("where"))
        .isEqualTo(new JsonObject("{\"status\": {\"_eq\": \"b\"}}"));
    db.execute("INSERT INTO public.orders VALUES (3, 'a', 1, NULL), (4, 'b', 1, NULL)");
    assertThat(f.awaitRow("t", 4)).extracting(ChangesFixture::rowId).containsExactly(1L, 4L);

    // where: null removes the filter
    JsonObject cleared = f.update("t", new JsonObject().putNull("where"));
    assertThat(cleared.getJsonObject("config").containsKey("where")).isFalse();
    db.execute("INSERT INTO public.orders VALUES (5, 'a', 1, NULL)");
    assertThat(f.awaitRow("t", 5)).extracting(ChangesFixture::rowId).containsExactly(1L, 4L, 5L);
  }

  @Test
  void badFiltersAreRefusedAndStoreNothing() {
    Map<String, String> cases = Map.of(
        "{\"nope\": {\"_eq\": 1}}", "table public.orders has no column nope",
        "{\"status\": {\"_eqq\": \"x\"}}", "unknown operator _eqq",
        "{\"_xor\": []}", "unknown operator _xor",
        "{\"total\": {\"_gt\": \"lots\"}}", "is not a valid numeric",
        "{\"status\": {\"_gt\": \"m\"}}", "_gt applies to numeric, date/time, boolean and uuid columns",
        "{\"total\": {\"_like\": \"1%\"}}", "_like applies to text, varchar and char columns",
        "{\"note\": {\"_like\": \"ends with \\\\\"}}", "ends with the escape character",
        "{\"status\": {\"_eq\": null}}", "must not be null",
        "{\"status\": {\"_in\": \"paid\"}}", "must be an array",
        "{\"status\": {\"_eq\": 5}}", "give a string");
    cases.forEach((where, message) -> {
      Api.Response r = f.api.create("guest", "bad", changes(new JsonObject(where)));
      assertThat(r.status()).as(where).isEqualTo(400);
      assertThat(r.json().getString("error")).as(where).contains(message);
    });
    Api.Response notObject = f.api.create("guest", "bad", ChangesFixture.changes("public.orders").put("where", 5));
    assertThat(notObject.status()).isEqualTo(400);
    assertThat(f.api.read("guest", "bad").status()).isEqualTo(404);
    assertThat(db.queryLong("SELECT count(*) FROM pg_catalog.pg_trigger WHERE tgname LIKE 'whiskfeed%'")).isZero();

    // an UPDATE with a bad filter changes nothing
    f.create("good", changes(new JsonObject("{\"status\": {\"_eq\": \"a\"}}")));
    Api.Response bad = f.api.update("guest", "good", new JsonObject().put("where", new JsonObject("{\"nope\": {\"_eq\": 1}}")));
    assertThat(bad.status()).isEqualTo(400);
    assertThat(f.read("good").getJsonObject("config").getJsonObject("where"))
        .isEqualTo(new JsonObject("{\"status\": {\"_eq\": \"a\"}}"));
  }

  @Test
  void droppingAFilterColumnNeverBreaksWritersAndDisablesTheFeed() {
    f.create("t", changes(new JsonObject("{\"note\": {\"_eq\": \"x\"}}")));
    db.execute("ALTER TABLE public.orders DROP COLUMN note");
    db.execute("INSERT INTO public.orders VALUES (1, 'a', 1)");
    assertThat(db.queryLong("SELECT count(*) FROM public.orders")).isEqualTo(1);
    await().atMost(ChangesFixture.WAIT).until(() -> "disabled".equals(
        f.read("t").getJsonObject("status").getString("state")));
    assertThat(f.read("t").getJsonObject("status").getJsonObject("reason").getString("message"))
        .contains("note").contains("read by where");
  }
}
