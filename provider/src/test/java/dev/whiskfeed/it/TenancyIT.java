package dev.whiskfeed.it;

import static dev.whiskfeed.it.ChangesFixture.changes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.whiskfeed.testing.PgExtension;
import dev.whiskfeed.testing.TestDatabase;
import dev.whiskfeed.testing.TestPostgres;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A provider shared by namespaces (API.md "Tenancy"): who may capture from which database, and
 * what a refusal tells (only what the request named).
 */
@ExtendWith(PgExtension.class)
class TenancyIT extends WithStandInOpenWhisk {
  TestPostgres pg;
  TestDatabase db;
  TestDatabase orders;
  TestDatabase billing;
  ChangesFixture f;

  @BeforeEach
  void start(TestPostgres pg) {
    this.pg = pg;
    openwhisk.reset();
    db = pg.newDatabase("tenancy");
    orders = pg.newDatabase("tenancy_orders");
    billing = pg.newDatabase("tenancy_billing");
    for (TestDatabase d : new TestDatabase[] {db, orders, billing}) {
      d.execute("CREATE TABLE public.orders (id int PRIMARY KEY, status text)");
    }
  }

  @AfterEach
  void stop() throws Exception {
    if (f != null) f.close();
  }

  private ChangesFixture provider(String namespaces) {
    return new ChangesFixture(openwhisk, db, Map.of(
        "WHISKFEED_SOURCES", "orders=" + orders.url() + ";billing=" + billing.url(),
        "WHISKFEED_SOURCE_NAMESPACES", namespaces,
        "WHISKFEED_ADMIN_TOKEN", TestProvider.ADMIN_TOKEN));
  }

  private static JsonObject on(String source, String capture) {
    return changes("public.orders").put("source", source).put("capture", capture);
  }

  @Test
  void aNamespaceNotListedForASourceGets403InBothCaptureModesNamingOnlyThatSource() {
    f = provider("control=*;orders=teamA;billing=teamB");
    for (String capture : new String[] {"trigger", "wal"}) {
      Api.Response denied = f.api.create("teamB", "t", on("orders", capture));
      assertThat(denied.status()).as(denied.body()).isEqualTo(403);
      assertThat(denied.json().getString("code")).isEqualTo("source_forbidden");
      assertThat(denied.json().getString("error")).contains("source 'orders'").doesNotContain("billing", "teamA");
      Api.Response other = f.api.create("teamA", "t", on("billing", capture));
      assertThat(other.status()).isEqualTo(403);
      assertThat(other.json().getString("error")).contains("source 'billing'").doesNotContain("orders", "teamB");
    }
    assertThat(db.queryLong("SELECT count(*) FROM whiskfeed.feeds")).isZero();
    assertThat(orders.queryLong("SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'whiskfeed%'")).isZero();

    assertThat(f.api.create("teamA", "trig", on("orders", "trigger")).status()).isEqualTo(200);
    assertThat(f.api.create("teamA", "wal", on("orders", "wal")).status()).isEqualTo(200);
    orders.execute("INSERT INTO public.orders VALUES (1, 'new')");
    await().atMost(ChangesFixture.WAIT).until(() -> openwhisk.fires("teamA", "trig").size() == 1
        && openwhisk.fires("teamA", "wal").size() == 1);
  }

  @Test
  void withADatabaseUrlTheControlDatabaseIsClosedUnlessListed() {
    f = provider("orders=*");
    Api.Response denied = f.api.create("guest", "t", changes("public.orders").put("capture", "trigger"));
    assertThat(denied.status()).as(denied.body()).isEqualTo(403);
    assertThat(denied.json().getString("code")).isEqualTo("source_forbidden");
    assertThat(denied.json().getString("error")).contains("the control database").doesNotContain("orders");
    assertThat(f.api.create("guest", "t", on("orders", "trigger")).status()).isEqualTo(200);
  }

  @Test
  void anUnknownSourceIsA400ThatNamesNoConfiguredSource() {
    f = provider("control=*;orders=*;billing=*");
    Api.Response r = f.api.create("guest", "t", on("nope", "trigger"));
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().getString("error")).isEqualTo("unknown source 'nope'");
  }

  /** The upgrade path: closing a source disables nothing; the start-up log names what is now outside the rules. */
  @Test
  void feedsCreatedBeforeASourceWasClosedKeepCapturingAreLoggedAndAnAdminCanDisableThem() throws Exception {
    f = provider("control=*;orders=*;billing=*");
    f.create("t", on("orders", "trigger"));
    f.close();
    try (LogCapture logs = new LogCapture()) {
      f = provider("control=*;orders=teamA;billing=*");
      await().atMost(ChangesFixture.WAIT).until(() -> logs.text().contains("feed.source_forbidden"));
      String text = logs.text();
      assertThat(text).contains("\"event\":\"source.namespaces\",\"source\":\"orders\",\"namespaces\":\"teamA\"")
          .contains("\"event\":\"source.namespaces\",\"source\":\"billing\",\"namespaces\":\"*\"")
          .contains("\"event\":\"source.namespaces\",\"source\":\"control\",\"namespaces\":\"*\"")
          .contains("\"event\":\"feed.source_forbidden\",\"feed\":\"/guest/t\",\"source\":\"orders\"");
    }
    assertThat(f.read("t").getJsonObject("status").getString("state")).isEqualTo("active");
    orders.execute("INSERT INTO public.orders VALUES (1, 'new')");
    f.awaitFires("t", 1);
    // an UPDATE that keeps the table is not a new capture; one that moves it is checked again
    assertThat(f.api.update("guest", "t", new JsonObject().put("events", "INSERT")).status()).isEqualTo(200);
    orders.execute("CREATE TABLE public.other (id int PRIMARY KEY)");
    assertThat(f.api.update("guest", "t", new JsonObject().put("table", "public.other")).status()).isEqualTo(403);

    Api.Response disabled = Ops.send(f.provider.port(), "POST", "/api/v1/admin/feeds/guest/t/disable",
        TestProvider.ADMIN_TOKEN, new JsonObject().put("message", "source closed to guest"));
    assertThat(disabled.status()).as(disabled.body()).isEqualTo(200);
    assertThat(f.read("t").getJsonObject("status").getString("state")).isEqualTo("disabled");
  }

  // ---- the database parameter

  private ChangesFixture withHosts(String hosts) {
    return new ChangesFixture(openwhisk, db, Map.of("WHISKFEED_DATABASE_HOSTS", hosts));
  }

  private Api.Response onDatabase(String url) {
    return f.api.create("guest", "t", changes("public.orders").put("database", url).put("capture", "trigger"));
  }

  private static void assertDisabled(Api.Response r) {
    assertThat(r.status()).as(r.body()).isEqualTo(403);
    assertThat(r.json().getString("code")).isEqualTo("database_param_disabled");
  }

  @Test
  void theDatabaseParameterIsRefusedUnlessWhiskfeedDatabaseHostsAllowsItsHost() throws Exception {
    f = withHosts("");
    assertDisabled(onDatabase(orders.url()));
    f.close();
    f = withHosts("db.example.com,*.internal.example");
    Api.Response other = onDatabase(orders.url());
    assertDisabled(other);
    assertThat(other.json().getString("error")).doesNotContain("example");
    assertThat(db.queryLong("SELECT count(*) FROM whiskfeed.feeds")).isZero();
    f.close();
    f = withHosts("localhost");
    assertThat(onDatabase(orders.url()).status()).isEqualTo(200);
    orders.execute("INSERT INTO public.orders VALUES (1, 'new')");
    f.awaitFires("t", 1);
  }

  /** A name that resolves into a range the CIDR entries leave out is refused by its address. */
  @Test
  void aNameResolvingToAForbiddenAddressIsRefused() throws Exception {
    f = withHosts("localhost,10.0.0.0/8,fd00::/8");
    assertDisabled(onDatabase(orders.url()));
    assertDisabled(onDatabase(orders.url().replace("localhost", "127.0.0.1")));
    f.close();
    f = withHosts("localhost,127.0.0.0/8,::1/128");
    assertThat(onDatabase(orders.url()).status()).isEqualTo(200);
  }

  @Test
  void aUrlMayNotRedirectTheConnectionThroughItsQuery() {
    f = withHosts("localhost");
    Api.Response r = onDatabase(orders.url() + "?host=10.1.2.3");
    assertThat(r.status()).isEqualTo(400);
    // the URL parser admits sslmode and sslrootcert only, so a redirecting parameter is refused there
    assertThat(r.json().getString("error")).contains("unsupported parameter host in the database URL");
  }

  /** Whether a host exists or a port is open is no answer a user can read: the messages are identical. */
  @Test
  void aClosedPortAndAnUnresolvableNameGiveTheSameGenericMessage() throws Exception {
    for (String hosts : new String[] {"localhost,127.0.0.1,*.invalid", "*.invalid,127.0.0.0/8,::1/128"}) {
      f = withHosts(hosts);
      Api.Response closed = onDatabase("postgresql://someone:hunter2@127.0.0.1:1/db");
      Api.Response unknown = onDatabase("postgresql://someone:hunter2@no-such-host.invalid:5432/db");
      for (Api.Response r : new Api.Response[] {closed, unknown}) {
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.json().getString("error")).isEqualTo("could not connect to the database");
        assertThat(r.body()).doesNotContain("127.0.0.1", "no-such-host", "5432", "refused", "hunter2");
      }
      assertThat(unknown.body()).isEqualTo(closed.body());
      f.close();
      f = null;
    }
  }

  // ---- quotas

  @Test
  void theFeedAfterTheNamespacesQuotaIsRefusedAndReplacingAFeedIsNoNewFeed() {
    f = new ChangesFixture(openwhisk, db, Map.of("WHISKFEED_MAX_FEEDS_PER_NAMESPACE", "2"));
    JsonObject webhook = new JsonObject().put("kind", "webhook");
    assertThat(f.api.create("guest", "a", webhook).status()).isEqualTo(200);
    assertThat(f.api.create("guest", "b", changes("public.orders")).status()).isEqualTo(200);
    Api.Response over = f.api.create("guest", "c", webhook);
    assertThat(over.status()).as(over.body()).isEqualTo(403);
    assertThat(over.json().getString("code")).isEqualTo("quota_exceeded");
    assertThat(over.json().getString("error")).contains("namespace guest has 2 feeds");
    assertThat(db.queryLong("SELECT count(*) FROM whiskfeed.feeds WHERE trigger = 'c'")).isZero();
    assertThat(f.api.create("guest", "a", webhook.copy().put("maxRetries", 3)).status()).isEqualTo(200);
    assertThat(f.api.create("teamA", "c", webhook).status()).isEqualTo(200);
    f.delete("a");
    assertThat(f.api.create("guest", "c", webhook).status()).isEqualTo(200);
  }

  private long feedId(String trigger) {
    return db.queryLong("SELECT id FROM whiskfeed.feeds WHERE trigger = '" + trigger + "'");
  }

  private long events(String trigger) {
    return db.queryLong("SELECT count(*) FROM whiskfeed.events WHERE feed_id = " + feedId(trigger));
  }

  private void awaitBacklogDisabled(String trigger) {
    await().atMost(ChangesFixture.WAIT).until(() -> "disabled".equals(f.read(trigger).getJsonObject("status")
        .getString("state")));
    JsonObject reason = f.read(trigger).getJsonObject("status").getJsonObject("reason");
    assertThat(reason.getString("kind")).isEqualTo("AUTO");
    assertThat(reason.getString("message")).isEqualTo("backlog over 3 events");
  }

  @Test
  void aTriggerFeedPastItsPendingCapIsDisabledItsCaptureStopsAndUpdateResumesIt() {
    f = new ChangesFixture(openwhisk, db, Map.of("WHISKFEED_MAX_PENDING_PER_FEED", "3"));
    f.create("t", changes("public.orders").put("capture", "trigger"));
    assertThat(f.api.pause("guest", "t").status()).isEqualTo(200);
    for (int i = 1; i <= 4; i++) db.execute("INSERT INTO public.orders VALUES (" + i + ", 'new')");
    awaitBacklogDisabled("t");
    assertThat(f.captureTriggers()).isZero();
    db.execute("INSERT INTO public.orders VALUES (5, 'after')");
    assertThat(events("t")).isEqualTo(4);

    JsonObject resumed = f.update("t", new JsonObject().put("maxRetries", 5));
    assertThat(resumed.getJsonObject("status").getString("state")).isNotEqualTo("disabled");
    assertThat(f.captureTriggers()).isPositive();
  }

  @Test
  void aWalFeedPastItsPendingCapIsDisabledAndItsSlotReaderSkipsIt() {
    db.execute("CREATE TABLE public.marker (id int PRIMARY KEY)");
    f = new ChangesFixture(openwhisk, db, Map.of("WHISKFEED_MAX_PENDING_PER_FEED", "3"));
    f.create("t", changes("public.orders").put("capture", "wal"));
    f.create("m", changes("public.marker").put("capture", "wal"));
    assertThat(f.api.pause("guest", "t").status()).isEqualTo(200);
    for (int i = 1; i <= 4; i++) db.execute("INSERT INTO public.orders VALUES (" + i + ", 'new')");
    awaitBacklogDisabled("t");
    db.execute("INSERT INTO public.orders VALUES (5, 'after')");
    db.execute("INSERT INTO public.marker VALUES (1)");
    f.awaitFires("m", 1); // the reader is past the change of orders
    assertThat(events("t")).isEqualTo(4);
  }

  // ---- a disabled feed's capture stops after WHISKFEED_DISABLED_CAPTURE_HOURS

  /** 0.002 hours: 7.2 s. */
  private ChangesFixture stoppingAfterSeconds() {
    return new ChangesFixture(openwhisk, db, Map.of("WHISKFEED_DISABLED_CAPTURE_HOURS", "0.002",
        "WHISKFEED_ADMIN_TOKEN", TestProvider.ADMIN_TOKEN));
  }

  private Api.Response admin(String trigger, String action) {
    return Ops.send(f.provider.port(), "POST", "/api/v1/admin/feeds/guest/" + trigger + "/" + action,
        TestProvider.ADMIN_TOKEN, new JsonObject());
  }

  /** The admin's READ: the owner's would ask OpenWhisk about a trigger the test may have deleted. */
  private JsonObject status(String trigger) {
    Api.Response r = Ops.send(f.provider.port(), "GET", "/api/v1/admin/feeds/guest/" + trigger,
        TestProvider.ADMIN_TOKEN, null);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json().getJsonObject("status");
  }

  private String awaitCaptureStopped(String trigger) {
    await().atMost(ChangesFixture.WAIT).until(() -> status(trigger).getString("captureStoppedAt") != null);
    JsonObject status = status(trigger);
    assertThat(status.getString("state")).isEqualTo("disabled");
    return status.getString("captureStoppedAt");
  }

  @Test
  void aDisabledTriggerFeedCapturesForTheConfiguredTimeThenStopsAndTheAdminsEnableResumesIt() throws Exception {
    f = stoppingAfterSeconds();
    f.create("t", changes("public.orders").put("capture", "trigger"));
    assertThat(admin("t", "disable").status()).isEqualTo(200);
    db.execute("INSERT INTO public.orders VALUES (1, 'while disabled')");
    assertThat(events("t")).as("a disabled feed keeps capturing for a while").isEqualTo(1);
    assertThat(status("t").containsKey("captureStoppedAt")).isFalse();

    String stoppedAt = awaitCaptureStopped("t");
    assertThat(java.time.Instant.parse(stoppedAt)).isBefore(java.time.Instant.now().plusSeconds(1));
    assertThat(f.captureTriggers()).isZero();
    db.execute("INSERT INTO public.orders VALUES (2, 'after the stop')");
    assertThat(events("t")).isEqualTo(1);

    Api.Response enabled = admin("t", "enable");
    assertThat(enabled.status()).as(enabled.body()).isEqualTo(200);
    assertThat(enabled.json().getJsonObject("feed").getJsonObject("status").containsKey("captureStoppedAt")).isFalse();
    assertThat(f.captureTriggers()).isPositive();
    db.execute("INSERT INTO public.orders VALUES (3, 're-enabled')");
    f.awaitRow("t", 3);
    // a few capture checks (every 300 ms) find the reinstalled triggers: the feed stays active throughout
    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
        .until(() -> "active".equals(status("t").getString("state")));
    assertThat(f.fires("t").stream().map(ChangesFixture::rowId)).contains(1L, 3L).doesNotContain(2L);
  }

  @Test
  void anAdminsEnableOfATriggerFeedStoppedForItsBacklogReinstallsItsCapture() throws Exception {
    f = new ChangesFixture(openwhisk, db, Map.of("WHISKFEED_MAX_PENDING_PER_FEED", "3",
        "WHISKFEED_ADMIN_TOKEN", TestProvider.ADMIN_TOKEN));
    f.create("t", changes("public.orders").put("capture", "trigger"));
    assertThat(f.api.pause("guest", "t").status()).isEqualTo(200);
    for (int i = 1; i <= 4; i++) db.execute("INSERT INTO public.orders VALUES (" + i + ", 'new')");
    awaitBacklogDisabled("t");
    assertThat(status("t").getString("captureStoppedAt")).isNotNull();
    assertThat(f.captureTriggers()).isZero();
    // the backlog back under the cap (else the next round disables the feed again before it drains)
    db.execute("WITH p AS (DELETE FROM whiskfeed.pending WHERE (feed_id, seq) IN (SELECT feed_id, seq FROM "
        + "whiskfeed.pending WHERE feed_id = " + feedId("t") + " LIMIT 1) RETURNING id) "
        + "DELETE FROM whiskfeed.events WHERE id IN (SELECT id FROM p)");

    assertThat(admin("t", "enable").status()).isEqualTo(200);
    assertThat(f.captureTriggers()).isPositive();
    // a few capture checks (every 300 ms): none finds a trigger missing, the feed stays active throughout
    await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
        .until(() -> "active".equals(status("t").getString("state")));
    db.execute("INSERT INTO public.orders VALUES (5, 'after')");
    f.awaitRow("t", 5);
  }

  @Test
  void aWalFeedDisabledByA404StopsBeingReadAfterTheConfiguredTimeAndUnpauseResumesIt() {
    db.execute("CREATE TABLE public.marker (id int PRIMARY KEY)");
    f = stoppingAfterSeconds();
    f.create("w", changes("public.orders").put("capture", "wal"));
    f.create("m", changes("public.marker").put("capture", "wal"));
    openwhisk.deleteTrigger("guest", "w");
    db.execute("INSERT INTO public.orders VALUES (1, 'fire gets a 404')");
    await().atMost(ChangesFixture.WAIT).until(() -> "disabled".equals(status("w").getString("state")));
    db.execute("INSERT INTO public.orders VALUES (2, 'while disabled')");
    await().atMost(ChangesFixture.WAIT).until(() -> events("w") == 2);

    awaitCaptureStopped("w");
    db.execute("INSERT INTO public.orders VALUES (3, 'after the stop')");
    db.execute("INSERT INTO public.marker VALUES (1)");
    f.awaitFires("m", 1); // the reader is past the change of orders
    assertThat(events("w")).isEqualTo(2);

    openwhisk.createTrigger("guest", "w");
    Api.Response unpaused = f.api.unpause("guest", "w");
    assertThat(unpaused.status()).as(unpaused.body()).isEqualTo(200);
    assertThat(status("w").containsKey("captureStoppedAt")).isFalse();
    db.execute("INSERT INTO public.orders VALUES (4, 're-enabled')");
    f.awaitRow("w", 4);
    assertThat(f.fires("w").stream().map(ChangesFixture::rowId)).doesNotContain(3L);
  }

  @Test
  void updateResumesTheCaptureOfATriggerFeedStoppedAfterTheConfiguredTime() {
    f = stoppingAfterSeconds();
    f.create("t", changes("public.orders").put("capture", "trigger"));
    openwhisk.deleteTrigger("guest", "t");
    db.execute("INSERT INTO public.orders VALUES (1, 'fire gets a 404')");
    await().atMost(ChangesFixture.WAIT).until(() -> "disabled".equals(status("t").getString("state")));
    awaitCaptureStopped("t");
    assertThat(f.captureTriggers()).isZero();

    openwhisk.createTrigger("guest", "t");
    JsonObject updated = f.update("t", new JsonObject().put("maxRetries", 5));
    assertThat(updated.getJsonObject("status").getString("state")).isEqualTo("active");
    assertThat(updated.getJsonObject("status").containsKey("captureStoppedAt")).isFalse();
    assertThat(f.captureTriggers()).isPositive();
    db.execute("INSERT INTO public.orders VALUES (2, 're-enabled')");
    f.awaitRow("t", 2);
  }
}
