package dev.whiskfeed.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.whiskfeed.app.Provider;
import dev.whiskfeed.testing.DedicatedPostgres;
import dev.whiskfeed.testing.PgExtension;
import dev.whiskfeed.testing.Recorded;
import dev.whiskfeed.testing.TestDatabase;
import dev.whiskfeed.testing.TestPostgres;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Writer safety: capture lives in the writer's own database and transaction, so a user's writes to a captured
 * table succeed while the provider is down or while the control database is unreachable; their events wait and are
 * delivered once the provider is back. (The provider runs in this JVM here: being down is the point, not how it
 * went down; CrashReliabilityIT kills the process.)
 */
@ExtendWith(PgExtension.class)
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class WriterSafetyReliabilityIT extends WithStandInOpenWhisk {
  static final String KEY = "23bc46b1-71f6-4ed5-8c54-816aa4f8c502:writerSafetyReliabilityKey";
  /** Besides the inserts: 10 updates and 10 deletes, each an event. */
  static final int MORE = 20;

  @BeforeEach
  void reset() {
    openwhisk.reset();
  }

  @ParameterizedTest
  @ValueSource(strings = {"trigger", "wal"})
  void writesSucceedWhileTheProviderIsDown(String capture, TestPostgres pg) throws Exception {
    int load = Reliability.load(300, 5_000);
    TestDatabase db = pg.newDatabase("writerdown");
    db.execute("CREATE TABLE public.orders (id bigint PRIMARY KEY, note text)");
    Map<String, String> env = TestProvider.env(db, openwhisk.url());
    try (Provider provider = TestProvider.start(env)) {
      assertThat(new Api(provider.port(), KEY).create("guest", "orders",
          new JsonObject().put("kind", "changes").put("table", "public.orders").put("capture", capture)).status())
          .isEqualTo(200);
    }
    long failures = write(db, load, capture);

    long t0 = System.nanoTime();
    try (Provider provider = TestProvider.start(env)) {
      await().atMost(Duration.ofSeconds(120)).until(() -> Reliability.count(db, "state = 'delivered'") == load + MORE);
    }
    report("writer-provider-down-" + capture, "provider-stopped", load, failures, t0);
    assertThat(failures).as("failed write transactions").isZero();
  }

  @ParameterizedTest
  @ValueSource(strings = {"trigger", "wal"})
  void writesToASourceSucceedWhileTheControlDatabaseIsDown(String capture, TestPostgres pg) throws Exception {
    int load = Reliability.load(300, 5_000);
    TestDatabase db = pg.newDatabase("writersource");
    db.execute("CREATE TABLE public.orders (id bigint PRIMARY KEY, note text)");
    try (DedicatedPostgres control = new DedicatedPostgres()) {
      TestDatabase controlDb = control.postgres().newDatabase("writercontrol");
      Map<String, String> env = TestProvider.env(controlDb, openwhisk.url());
      env.put("WHISKFEED_SOURCES", "shop=" + db.url());
      env.put("WHISKFEED_SOURCE_NAMESPACES", "control=*;shop=*");
      try (Provider provider = TestProvider.start(env)) {
        Api api = new Api(provider.port(), KEY);
        assertThat(api.create("guest", "orders", new JsonObject().put("kind", "changes").put("table", "public.orders")
            .put("source", "shop").put("capture", capture)).status()).isEqualTo(200);
        control.stop();
        await().atMost(Duration.ofSeconds(20)).until(() -> api.send("GET", "/health", null).status() == 503);
        long failures = write(db, load, capture);
        assertThat(api.send("GET", "/health", null).status()).as("the control database is still down").isEqualTo(503);

        long t0 = System.nanoTime();
        control.start();
        // a trigger stored the events in the source; the slot kept the changes until the control database was back
        TestDatabase store = capture.equals("wal") ? controlDb : db;
        await().atMost(Duration.ofSeconds(120)).until(() -> Reliability.count(store, "state = 'delivered'") == load + MORE);
        report("writer-control-db-down-" + capture, "control-postgres-stopped", load, failures, t0);
        assertThat(failures).as("failed write transactions").isZero();
      }
    }
  }

  /** Inserts, updates and deletes as a user's application would; answers the failed transactions. */
  private static long write(TestDatabase db, int load, String capture) throws InterruptedException {
    try (RowWriter writer = new RowWriter(db, "public.orders", 10, Duration.ZERO, load).start()) {
      await().atMost(Duration.ofSeconds(120)).until(writer::done);
      db.execute("UPDATE public.orders SET note = 'changed' WHERE id <= 10");
      db.execute("DELETE FROM public.orders WHERE id > " + (load - 10));
      assertThat(db.queryLong("SELECT count(*) FROM public.orders")).isEqualTo(load - 10);
      if (capture.equals("trigger")) {
        assertThat(Reliability.count(db, "true")).as("every change captured").isEqualTo(load + MORE);
      }
      return writer.failures();
    }
  }

  private static void report(String name, String faults, int load, long failures, long t0) {
    List<Recorded> fires = openwhisk.fires("guest", "orders");
    long drainMs = (System.nanoTime() - t0) / 1_000_000;
    Reliability.report(name, load + MORE, faults, load + MORE, Reliability.delivered(fires).size(),
        Reliability.duplicated(fires), load + MORE - Reliability.delivered(fires).size(), drainMs,
        "failedWrites=" + failures);
    assertThat(Reliability.delivered(fires)).hasSize(load + MORE);
  }
}
