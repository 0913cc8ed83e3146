package dev.whiskfeed.it;

import static dev.whiskfeed.it.ChangesFixture.changes;
import static dev.whiskfeed.it.ChangesFixture.newRow;
import static dev.whiskfeed.it.ChangesFixture.oldRow;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.whiskfeed.testing.PgExtension;
import dev.whiskfeed.testing.Recorded;
import dev.whiskfeed.testing.TestDatabase;
import dev.whiskfeed.testing.TestPostgres;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What capture writes (types, odd names) and how it lives with the user's schema changes. */
@ExtendWith(PgExtension.class)
class ChangesCaptureIT extends WithStandInOpenWhisk {
  TestDatabase db;
  ChangesFixture f;

  @BeforeEach
  void start(TestPostgres pg) {
    openwhisk.reset();
    db = pg.newDatabase("capture");
    f = new ChangesFixture(openwhisk, db, Map.of());
  }

  @AfterEach
  void stop() throws Exception {
    f.close();
  }

  @Test
  void everyTypeIsEncodedAsDocumented() {
    db.execute("""
        CREATE TABLE public.kinds (id int PRIMARY KEY, big bigint, num numeric, money numeric(12,2), f float8,
          ts timestamptz, d date, j jsonb, js json, ints int[], texts text[], u uuid, t text, b bytea, flag boolean,
          nothing text, iv interval)""");
    f.create("t", changes("public.kinds").put("events", "INSERT"));
    db.execute("SET TIME ZONE 'America/New_York'; INSERT INTO public.kinds VALUES (1, 9007199254740993, "
        + "12345678901234567890.123456789, 1234567.50, 0.1, '2026-11-22 06:00:00.123456+01', '2026-11-22', "
        + "'{\"a\": [1, 2, {\"b\": null}], \"c\": \"x\"}', '{\"x\": 1}', '{1,NULL,3}', '{\"a b\",\"c\"}', "
        + "'9b0e2f9c-4a54-4c1c-8f8e-3b2a1c0d9e8f', E'it''s \"quoted\" \\\\back\\\\slash 😀\\n', '\\x00ff10', true, "
        + "NULL, '1 day 2 hours')");
    Recorded fire = await().atMost(ChangesFixture.WAIT).until(() -> openwhisk.fires("guest", "t"), l -> !l.isEmpty())
        .get(0);
    // numbers keep every digit in the body OpenWhisk receives
    assertThat(fire.body()).contains("\"big\":9007199254740993").contains("\"num\":12345678901234567890.123456789")
        .contains("\"money\":1234567.50");
    JsonObject row = newRow(fire.json());
    assertThat(row.getDouble("f")).isEqualTo(0.1);
    assertThat(row.getString("ts")).isEqualTo("2026-11-22T05:00:00.123456+00:00");
    assertThat(row.getString("d")).isEqualTo("2026-11-22");
    assertThat(row.getJsonObject("j")).isEqualTo(new JsonObject("{\"a\": [1, 2, {\"b\": null}], \"c\": \"x\"}"));
    assertThat(row.getJsonObject("js")).isEqualTo(new JsonObject().put("x", 1));
    assertThat(row.getJsonArray("ints")).isEqualTo(new JsonArray().add(1).addNull().add(3));
    assertThat(row.getJsonArray("texts")).isEqualTo(new JsonArray().add("a b").add("c"));
    assertThat(row.getString("u")).isEqualTo("9b0e2f9c-4a54-4c1c-8f8e-3b2a1c0d9e8f");
    assertThat(row.getString("t")).isEqualTo("it's \"quoted\" \\back\\slash 😀\n");
    assertThat(row.getString("b")).isEqualTo("\\x00ff10");
    assertThat(row.getBoolean("flag")).isTrue();
    assertThat(row.containsKey("nothing")).isTrue();
    assertThat(row.getValue("nothing")).isNull();
    assertThat(row.getString("iv")).isEqualTo("P1DT2H");
  }

  @Test
  void tableAndColumnNamesWithCapitalsSpacesDotsAndQuotesWork() {
    db.execute("CREATE SCHEMA \"My Schema\"");
    db.execute("CREATE TABLE \"My Schema\".\"Order \"\"Items\"\".v2\" (id int PRIMARY KEY, \"Total Amount\" numeric, "
        + "\"UPPER\" text, \"r\" text, \"tbl\" text, \"$whiskfeed$\" text)");
    JsonObject feed = f.create("odd", changes("\"My Schema\".\"Order \"\"Items\"\".v2\"")
        .put("columns", new JsonArray().add("Total Amount"))
        .put("payloadColumns", new JsonArray().add("id").add("Total Amount").add("$whiskfeed$").add("tbl")));
    assertThat(feed.getJsonObject("config").getString("table")).isEqualTo("\"My Schema\".\"Order \"\"Items\"\".v2\"");
    db.execute("INSERT INTO \"My Schema\".\"Order \"\"Items\"\".v2\" VALUES (1, 5, 'A', 'r', 't', '$x$')");
    db.execute("UPDATE \"My Schema\".\"Order \"\"Items\"\".v2\" SET \"UPPER\" = 'B'");          // not in columns
    db.execute("UPDATE \"My Schema\".\"Order \"\"Items\"\".v2\" SET \"Total Amount\" = 6");
    List<JsonObject> fires = f.awaitFires("odd", 2);
    assertThat(fires.get(0).getJsonObject("table"))
        .isEqualTo(new JsonObject().put("schema", "My Schema").put("name", "Order \"Items\".v2"));
    assertThat(newRow(fires.get(0))).isEqualTo(new JsonObject().put("id", 1).put("Total Amount", 5)
        .put("$whiskfeed$", "$x$").put("tbl", "t"));
    assertThat(ChangesFixture.op(fires.get(1))).isEqualTo("UPDATE");
    assertThat(oldRow(fires.get(1)).getInteger("Total Amount")).isEqualTo(5);
    assertThat(newRow(fires.get(1)).getInteger("Total Amount")).isEqualTo(6);
    f.delete("odd");
    assertThat(f.captureTriggers()).isZero();
  }

  @Test
  void anAddedColumnAppearsInPayloads() {
    db.execute("CREATE TABLE public.orders (id int PRIMARY KEY, status text)");
    f.create("t", changes("public.orders"));
    db.execute("ALTER TABLE public.orders ADD COLUMN note text DEFAULT 'hi'");
    db.execute("INSERT INTO public.orders (id, status) VALUES (1, 'new')");
    assertThat(newRow(f.awaitFires("t", 1).get(0)))
        .isEqualTo(new JsonObject().put("id", 1).put("status", "new").put("note", "hi"));
  }

  @Test
  void droppingANamedColumnNeverFailsAWriteAndDisablesTheFeedWithAReason() {
    db.execute("CREATE TABLE public.users (id int PRIMARY KEY, email text, name text)");
    db.execute("INSERT INTO public.users VALUES (1, 'a@x', 'a')");
    f.create("byEmail", changes("public.users").put("columns", "email"));
    f.create("showsEmail", changes("public.users").put("payloadColumns", "id, email"));
    f.create("everything", changes("public.users"));

    db.execute("ALTER TABLE public.users DROP COLUMN email");
    // the user's writes go on, whichever feed names the column
    db.execute("INSERT INTO public.users VALUES (2, 'b')");
    db.execute("UPDATE public.users SET name = 'c'");
    db.execute("DELETE FROM public.users WHERE id = 1");

    for (String trigger : List.of("byEmail", "showsEmail")) {
      await().atMost(ChangesFixture.WAIT).until(() -> "disabled".equals(state(trigger)));
      JsonObject reason = f.read(trigger).getJsonObject("status").getJsonObject("reason");
      assertThat(reason.getString("kind")).isEqualTo("AUTO");
      assertThat(reason.getString("message")).contains("column email of table public.users")
          .contains("no longer exists");
    }
    assertThat(state("everything")).isEqualTo("active");
    List<JsonObject> all = f.awaitFires("everything", 4);
    assertThat(all).extracting(ChangesFixture::op).containsExactlyInAnyOrder("INSERT", "UPDATE", "UPDATE", "DELETE");
    assertThat(newRow(all.stream().filter(e -> ChangesFixture.op(e).equals("INSERT")).findFirst().orElseThrow()))
        .isEqualTo(new JsonObject().put("id", 2).put("name", "b"));

    // an UPDATE naming existing columns captures again
    assertThat(f.api.update("guest", "byEmail", new JsonObject().put("columns", "email")).status()).isEqualTo(400);
    JsonObject fixed = f.update("byEmail", new JsonObject().put("columns", "name"));
    assertThat(fixed.getJsonObject("status").getString("state")).isEqualTo("active");
  }

  @Test
  void aDroppedTableOrAHandDroppedTriggerDisablesTheFeed() {
    db.execute("CREATE TABLE public.a (id int PRIMARY KEY)");
    db.execute("CREATE TABLE public.b (id int PRIMARY KEY)");
    db.execute("CREATE TABLE public.\"Cased\" (id int PRIMARY KEY)");
    f.create("onA", changes("public.a").put("capture", "trigger"));
    f.create("onB", changes("public.b").put("capture", "trigger"));
    db.execute("CREATE TABLE public.lowered (id int PRIMARY KEY)");
    // checked in the same round, with the same two catalog queries: sound feeds are left alone,
    // whether their table is named exactly or as SQL folds an unquoted name
    f.create("onCased", changes("public.\"Cased\"").put("capture", "trigger"));
    f.create("onLowered", changes("public.Lowered").put("capture", "trigger"));
    db.execute("DROP TABLE public.a");
    db.execute("DROP TRIGGER whiskfeed_" + db.queryLong("SELECT id FROM whiskfeed.feeds WHERE trigger = 'onB'")
        + "_update ON public.b");
    await().atMost(ChangesFixture.WAIT).until(() -> "disabled".equals(state("onA")) && "disabled".equals(state("onB")));
    assertThat(f.read("onA").getJsonObject("status").getJsonObject("reason").getString("message"))
        .contains("table public.a no longer exists");
    assertThat(f.read("onB").getJsonObject("status").getJsonObject("reason").getString("message"))
        .contains("_update is missing from table public.b");
    assertThat(state("onCased")).isEqualTo("active");
    assertThat(state("onLowered")).isEqualTo("active");
    db.execute("INSERT INTO public.\"Cased\" VALUES (1)");
    db.execute("INSERT INTO public.lowered VALUES (2)");
    f.awaitRow("onCased", 1);
    f.awaitRow("onLowered", 2);
    f.delete("onA");
    f.delete("onB");
    f.delete("onCased");
    f.delete("onLowered");
    assertThat(f.captureFunctions()).isZero();
    assertThat(f.captureTriggers()).isZero();
  }

  private String state(String trigger) {
    return f.read(trigger).getJsonObject("status").getString("state");
  }
}
