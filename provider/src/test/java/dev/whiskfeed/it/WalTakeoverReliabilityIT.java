package dev.whiskfeed.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.whiskfeed.testing.PgExtension;
import dev.whiskfeed.testing.Recorded;
import dev.whiskfeed.testing.TestDatabase;
import dev.whiskfeed.testing.TestPostgres;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * WAL capture with two instances: exactly one consumes the slot; a writer commits rows while the
 * holder is SIGKILLed mid-stream; the standby takes the slot over within seconds, and every change
 * ends as exactly one event (no change stored twice, none lost), delivered.
 */
@ExtendWith(PgExtension.class)
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class WalTakeoverReliabilityIT extends WithStandInOpenWhisk {
  static final String KEY = "23bc46b1-71f6-4ed5-8c54-816aa4f8c502:walTakeoverReliabilityKey";

  @Test
  void theStandbyTakesTheSlotOverWhenTheHolderIsKilledAndNoChangeIsLostOrStoredTwice(TestPostgres pg)
      throws Exception {
    int load = Reliability.load(2_000, 20_000);
    openwhisk.reset();
    TestDatabase db = pg.newDatabase("waltakeover");
    db.execute("CREATE TABLE public.orders (id bigint PRIMARY KEY, note text)");
    Map<String, String> envA = TestProvider.env(db, openwhisk.url());
    envA.put("WHISKFEED_INSTANCE_ID", "wal-a");
    Map<String, String> envB = TestProvider.env(db, openwhisk.url());
    envB.put("WHISKFEED_INSTANCE_ID", "wal-b");
    try (ProviderProcess a = ProviderProcess.start(envA, Path.of("target", "reliability-wal-a.log"));
         ProviderProcess b = ProviderProcess.start(envB, Path.of("target", "reliability-wal-b.log"))) {
      Api apiA = new Api(a.port(), KEY);
      Api apiB = new Api(b.port(), KEY);
      Api.Response created = apiA.create("guest", "orders", new JsonObject().put("kind", "changes")
          .put("table", "public.orders").put("capture", "wal"));
      assertThat(created.status()).as(created.body()).isEqualTo(200);
      // both instances read the feed; one holds the slot, the other stands by
      await().atMost(Duration.ofSeconds(30)).until(() -> states(apiA, apiB).equals(List.of("holding", "standby"))
          || states(apiA, apiB).equals(List.of("standby", "holding")));
      boolean aHolds = slot(apiA).getString("state").equals("holding");
      assertThat(slot(aHolds ? apiA : apiB).getString("holder")).isEqualTo(aHolds ? "wal-a" : "wal-b");
      ProviderProcess holder = aHolds ? a : b;
      Api standby = aHolds ? apiB : apiA;

      long t0 = System.nanoTime();
      long takeoverMs;
      try (RowWriter writer = new RowWriter(db, "public.orders", 20, Duration.ofMillis(10), load).start()) {
        await().atMost(Duration.ofSeconds(60)).until(() -> Reliability.count(db, "true") >= load / 3);
        holder.kill();
        long killedAt = System.nanoTime();
        await().atMost(Duration.ofSeconds(30)).until(() -> "holding".equals(slot(standby).getString("state")));
        takeoverMs = (System.nanoTime() - killedAt) / 1_000_000;
        await().atMost(Duration.ofSeconds(120)).until(writer::done);
      }
      try {
        await().atMost(Duration.ofSeconds(120)).until(() -> Reliability.count(db, "state = 'delivered'") >= load);
      } finally {
        System.out.println("wal-takeover: rows=" + db.queryLong("SELECT count(*) FROM public.orders") + " events="
            + Reliability.count(db, "true") + " pending=" + Reliability.count(db, "state = 'pending'")
            + " standbyHealth=" + standby.send("GET", "/health", null).body());
      }
      reportEveryChangeStoredOnceAndDelivered(db, load, t0, "wal-takeover", "SIGKILL-of-the-slot-holder",
          "takeoverMs=" + takeoverMs);
      assertThat(takeoverMs).as("the standby took over within seconds").isLessThan(15_000);
    }
  }

  @Test
  void aProviderKilledMidStreamAndRestartedStoresEveryChangeOnce(TestPostgres pg) throws Exception {
    int load = Reliability.load(2_000, 20_000);
    openwhisk.reset();
    TestDatabase db = pg.newDatabase("walcrash");
    db.execute("CREATE TABLE public.orders (id bigint PRIMARY KEY, note text)");
    Map<String, String> env = TestProvider.env(db, openwhisk.url());
    env.put("WHISKFEED_INSTANCE_ID", "wal-crash");
    ProviderProcess provider = ProviderProcess.start(env, Path.of("target", "reliability-wal-crash.log"));
    try {
      Api api = new Api(provider.port(), KEY);
      Api.Response created = api.create("guest", "orders", new JsonObject().put("kind", "changes")
          .put("table", "public.orders").put("capture", "wal"));
      assertThat(created.status()).as(created.body()).isEqualTo(200);
      long t0 = System.nanoTime();
      long storedAtKill;
      try (RowWriter writer = new RowWriter(db, "public.orders", 20, Duration.ofMillis(10), load).start()) {
        await().atMost(Duration.ofSeconds(60)).until(() -> Reliability.count(db, "true") >= load / 3);
        provider.kill();
        storedAtKill = Reliability.count(db, "true");
        provider = ProviderProcess.start(env, Path.of("target", "reliability-wal-crash-restarted.log"));
        await().atMost(Duration.ofSeconds(120)).until(writer::done);
      }
      try {
        await().atMost(Duration.ofSeconds(120)).until(() -> Reliability.count(db, "state = 'delivered'") >= load);
      } finally {
        System.out.println("wal-crash: rows=" + db.queryLong("SELECT count(*) FROM public.orders") + " events="
            + Reliability.count(db, "true") + " " + db.query("SELECT state, attempts, last_error, "
            + "next_attempt_at::text AS due FROM whiskfeed.event_status WHERE state <> 'delivered' LIMIT 5"));
      }
      reportEveryChangeStoredOnceAndDelivered(db, load, t0, "wal-crash", "SIGKILL-mid-stream+restart",
          "storedAtKill=" + storedAtKill);
    } finally {
      provider.close();
    }
  }

  /** Prints the case's line, then checks that every committed change is one event, and delivered. */
  private static void reportEveryChangeStoredOnceAndDelivered(TestDatabase db, int load, long t0, String name,
                                                              String faults, String more) {
    long drainMs = (System.nanoTime() - t0) / 1_000_000;
    List<Recorded> fires = openwhisk.fires("guest", "orders");
    long storedTwice = db.queryLong("SELECT count(*) FROM (SELECT payload #>> '{data,new,id}' FROM whiskfeed.events "
        + "GROUP BY 1 HAVING count(*) > 1) d");
    Reliability.report(name, load, faults, Reliability.count(db, "true"), Reliability.delivered(fires).size(),
        Reliability.duplicated(fires), load - Reliability.delivered(fires).size(), drainMs,
        more + " changesStoredTwice=" + storedTwice);
    assertThat(db.queryLong("SELECT count(*) FROM public.orders")).isEqualTo(load);
    assertThat(Reliability.count(db, "true")).as("one event per change").isEqualTo(load);
    assertThat(storedTwice).as("changes with two events").isZero();
    assertThat(Reliability.delivered(fires)).hasSize(load);
  }

  private static List<String> states(Api a, Api b) {
    return List.of(slot(a).getString("state", "none"), slot(b).getString("state", "none"));
  }

  private static JsonObject slot(Api api) {
    Api.Response health = api.send("GET", "/health", null);
    JsonArray capture = health.json().getJsonArray("capture");
    return capture == null || capture.isEmpty() ? new JsonObject() : capture.getJsonObject(0);
  }
}
