package dev.whiskfeed.it;

import static dev.whiskfeed.it.ChangesFixture.changes;
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

/** Where capture runs: other databases, roles with few rights, and the messages when it cannot. */
@ExtendWith(PgExtension.class)
class ChangesSourcesIT extends WithStandInOpenWhisk {
  static final String OWNER_PASSWORD = "owner-s3cret-pw";
  TestPostgres pg;
  TestDatabase db;
  ChangesFixture f;

  @BeforeEach
  void start(TestPostgres pg) {
    this.pg = pg;
    openwhisk.reset();
    db = pg.newDatabase("sources");
  }

  @AfterEach
  void stop() throws Exception {
    if (f != null) f.close();
  }

  @Test
  void aFeedOnANamedSourceCapturesInThatDatabase() {
    TestDatabase orders = pg.newDatabase("orders_src");
    orders.execute("CREATE TABLE public.orders (id int PRIMARY KEY, status text)");
    f = new ChangesFixture(openwhisk, db, Map.of("WHISKFEED_SOURCES", "orders=" + orders.url(),
        "WHISKFEED_SOURCE_NAMESPACES", "control=*;orders=*"));
    JsonObject feed = f.create("t", changes("public.orders").put("source", "orders").put("capture", "trigger"));
    assertThat(feed.getJsonObject("config").getString("source")).isEqualTo("orders");
    orders.execute("INSERT INTO public.orders VALUES (1, 'new')");
    orders.execute("UPDATE public.orders SET status = 'paid'");
    List<JsonObject> fires = f.awaitFires("t", 2);
    assertThat(fires).extracting(ChangesFixture::op).containsExactlyInAnyOrder("INSERT", "UPDATE");
    assertThat(orders.queryLong("SELECT count(*) FROM whiskfeed.events")).isEqualTo(2);
    assertThat(db.queryLong("SELECT count(*) FROM whiskfeed.events")).isZero();
    f.delete("t");
    assertThat(orders.queryLong("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'whiskfeed%'")).isZero();
    assertThat(orders.queryLong("SELECT count(*) FROM pg_proc WHERE proname LIKE 'capture\\_%'")).isZero();
  }

  @Test
  void aWalFeedOnANamedSourceStoresItsEventsInTheControlDatabaseAndWritesNothingThere() {
    TestDatabase orders = pg.newDatabase("orders_wal");
    orders.execute("CREATE TABLE public.orders (id int PRIMARY KEY, status text)");
    f = new ChangesFixture(openwhisk, db, Map.of("WHISKFEED_SOURCES", "orders=" + orders.url(),
        "WHISKFEED_SOURCE_NAMESPACES", "control=*;orders=*"));
    JsonObject feed = f.create("t", changes("public.orders").put("source", "orders"));
    assertThat(feed.getJsonObject("config").getString("capture")).isEqualTo("wal");
    orders.execute("INSERT INTO public.orders VALUES (1, 'new')");
    orders.execute("UPDATE public.orders SET status = 'paid'");
    List<JsonObject> fires = f.awaitFires("t", 2);
    assertThat(fires).extracting(ChangesFixture::op).containsExactlyInAnyOrder("INSERT", "UPDATE");
    assertThat(db.queryLong("SELECT count(*) FROM whiskfeed.events")).isEqualTo(2);
    // the source serves its slot and publication only: no whiskfeed schema, trigger or function there
    assertThat(orders.queryLong("SELECT count(*) FROM pg_namespace WHERE nspname = 'whiskfeed'")).isZero();
    assertThat(orders.queryLong("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'whiskfeed%'")).isZero();
    f.delete("t");
    await().atMost(ChangesFixture.WAIT).until(() -> orders.queryLong("SELECT count(*) FROM pg_replication_slots "
        + "WHERE database = current_database()") == 0);
    assertThat(orders.queryLong("SELECT count(*) FROM pg_publication")).isZero();
  }

  @Test
  void aWriterWithNoRightsOnWhiskfeedWritesAndIsGrantedNothing() {
    TestDatabase source = pg.newDatabase("app");
    String owner = role("app_owner");
    String writer = role("app_writer");
    source.execute("GRANT CREATE ON DATABASE " + source.name() + " TO " + owner);
    source.execute("CREATE TABLE public.orders (id int PRIMARY KEY, status text)");
    source.execute("ALTER TABLE public.orders OWNER TO " + owner);
    source.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON public.orders TO " + writer);
    List<Map<String, Object>> writerGrants = grantsOf(source, writer);
    f = new ChangesFixture(openwhisk, db, Map.of());

    JsonObject feed = f.create("t", changes("public.orders").put("database", source.as(owner, OWNER_PASSWORD).url()));
    long id = db.queryLong("SELECT id FROM whiskfeed.feeds");
    TestDatabase asWriter = source.as(writer, OWNER_PASSWORD);
    asWriter.execute("INSERT INTO public.orders VALUES (1, 'new')");
    asWriter.execute("UPDATE public.orders SET status = 'paid'");
    asWriter.execute("DELETE FROM public.orders");
    asWriter.execute("SET search_path = pg_temp, public; INSERT INTO orders VALUES (2, 'x')");
    assertThat(f.awaitFires("t", 4)).extracting(ChangesFixture::op)
        .containsExactlyInAnyOrder("INSERT", "UPDATE", "DELETE", "INSERT");

    Map<String, Object> function = source.query("SELECT pg_get_userbyid(proowner) AS owner, prosecdef, "
        + "array_to_string(proconfig, ';') AS config FROM pg_proc WHERE oid = 'whiskfeed.capture_" + id
        + "()'::regprocedure").get(0);
    assertThat(function.get("owner")).isEqualTo(owner);
    assertThat(function.get("prosecdef")).isEqualTo(true);
    assertThat((String) function.get("config")).contains("search_path=pg_catalog, pg_temp");
    assertThat(source.query("SELECT has_schema_privilege(?::name, 'whiskfeed', 'USAGE') AS schema_usage, "
        + "has_table_privilege(?::name, 'whiskfeed.events', 'INSERT') AS events_insert, "
        + "has_function_privilege(?::name, 'whiskfeed.capture_" + id + "()', 'EXECUTE') AS execute", writer, writer, writer)
        .get(0)).containsOnly(Map.entry("schema_usage", false), Map.entry("events_insert", false),
        Map.entry("execute", false));
    assertThat(grantsOf(source, writer)).isEqualTo(writerGrants);

    // the URL is a secret: masked in READ, sealed in the control database
    assertThat(feed.getJsonObject("config").getString("database"))
        .isEqualTo("postgresql://" + owner + ":***@" + source.host() + ":" + source.port() + "/" + source.name());
    assertThat(f.api.read("guest", "t").body()).doesNotContain(OWNER_PASSWORD);
    assertThat(db.query("SELECT config::text AS c, secrets::text AS s FROM whiskfeed.feeds").get(0).values())
        .allSatisfy(v -> assertThat((String) v).doesNotContain(OWNER_PASSWORD));
    f.update("t", new JsonObject().put("events", "INSERT"));
    asWriter.execute("INSERT INTO public.orders VALUES (3, 'y')");
    f.awaitFires("t", 5);
    f.delete("t");
    assertThat(source.queryLong("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'whiskfeed%'")).isZero();
  }

  @Test
  void missingPrivilegesAreNamed() {
    TestDatabase source = pg.newDatabase("locked");
    String lowly = role("lowly");
    source.execute("CREATE TABLE public.t (id int PRIMARY KEY)");
    f = new ChangesFixture(openwhisk, db, Map.of());
    JsonObject params = changes("public.t").put("database", source.as(lowly, OWNER_PASSWORD).url());

    assertError(f.api.create("guest", "t", params), 403, "whiskfeed's database role " + lowly
        + " may not create schema whiskfeed in database " + source.name());
    source.execute("GRANT CREATE ON DATABASE " + source.name() + " TO " + lowly);
    assertError(f.api.create("guest", "t", params), 403, "whiskfeed's database role " + lowly
        + " lacks the TRIGGER privilege on table public.t");
    source.execute("GRANT TRIGGER ON public.t TO " + lowly);
    assertError(f.api.create("guest", "t", params), 403, "whiskfeed's database role " + lowly
        + " does not own table public.t");
    assertThat(db.queryLong("SELECT count(*) FROM whiskfeed.feeds")).isZero();
    source.execute("ALTER TABLE public.t OWNER TO " + lowly);
    assertThat(f.api.create("guest", "t", params).status()).isEqualTo(200);
  }

  @Test
  void badParametersAreA400ThatNamesTheProblemAndStoresNothing() {
    db.execute("CREATE TABLE public.orders (id int PRIMARY KEY, status text)");
    db.execute("CREATE VIEW public.v AS SELECT * FROM public.orders");
    f = new ChangesFixture(openwhisk, db, Map.of("WHISKFEED_SOURCES", "billing=" + db.url(),
        "WHISKFEED_SOURCE_NAMESPACES", "control=*;billing=*"));
    assertError(f.api.create("guest", "t", changes("public.nope")), 400, "table public.nope does not exist");
    assertThat(f.api.create("guest", "t", changes("public.nope")).error()).isEqualTo("table public.nope does not exist");
    assertError(f.api.create("guest", "t", changes("nope.orders")), 400, "table nope.orders does not exist");
    assertError(f.api.create("guest", "t", new JsonObject().put("kind", "changes")), 400, "the table parameter is required");
    assertError(f.api.create("guest", "t", changes("public.orders").put("columns", "status, nope, zip")), 400,
        "columns: table public.orders has no columns nope, zip");
    assertError(f.api.create("guest", "t", changes("public.orders").put("payloadColumns", List.of("id", "x"))), 400,
        "payloadColumns: table public.orders has no column x");
    assertError(f.api.create("guest", "t", changes("public.orders").put("events", "INSERT,TRUNCATE")), 400,
        "the events parameter may name only INSERT, UPDATE and DELETE, not 'TRUNCATE'");
    assertError(f.api.create("guest", "t", changes("public.orders").put("source", "nope")), 400,
        "unknown source 'nope'");
    assertError(f.api.create("guest", "t", changes("public.orders").put("source", "billing").put("database", db.url())),
        400, "either the source parameter or the database parameter");
    assertError(f.api.create("guest", "t", changes("public.orders")
        .put("database", "postgresql://someone:hunter2@127.0.0.1:1/db")), 400,
        "could not connect to the database");
    assertThat(f.api.create("guest", "t", changes("public.orders")
        .put("database", "postgresql://someone:hunter2@127.0.0.1:1/db")).body()).doesNotContain("hunter2");
    assertError(f.api.create("guest", "t", changes("public.orders").put("database", "mysql://x")), 400,
        "the database parameter must be a Postgres URL");
    assertError(f.api.create("guest", "t", changes("public.v")), 400, "public.v is a view, not a table");
    assertError(f.api.create("guest", "t", changes("public.orders").put("mode", "push")), 400,
        "the mode parameter must be listen or poll");
    assertError(f.api.create("guest", "t", changes("public.orders").put("pollIntervalSec", 5)), 400,
        "pollIntervalSec parameter applies to mode poll only");
    assertError(f.api.create("guest", "t", changes("public.orders").put("mode", "poll").put("pollIntervalSec", 0)),
        400, "the pollIntervalSec parameter must be between 1 and 3600");
    assertThat(db.queryLong("SELECT count(*) FROM whiskfeed.feeds")).isZero();
    assertThat(db.queryLong("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'whiskfeed%'")).isZero();

    f.create("t", changes("public.orders"));
    assertError(f.api.update("guest", "t", new JsonObject().put("source", "billing")), 400,
        "source and database cannot be changed by UPDATE");
    assertError(f.api.update("guest", "t", new JsonObject().put("table", "public.nope")), 400,
        "table public.nope does not exist");
    assertThat(f.read("t").getJsonObject("config").getString("table")).isEqualTo("public.orders");
  }

  private String role(String prefix) {
    String name = prefix + "_" + Long.toHexString(System.nanoTime());
    db.createRole(name, OWNER_PASSWORD);
    return name;
  }

  private static List<Map<String, Object>> grantsOf(TestDatabase d, String role) {
    return d.query("SELECT table_schema, table_name, privilege_type FROM information_schema.role_table_grants "
        + "WHERE grantee = ? ORDER BY 1, 2, 3", role);
  }

  static void assertError(Api.Response r, int status, String messagePart) {
    LifecycleIT.assertError(r, status, messagePart);
  }
}
