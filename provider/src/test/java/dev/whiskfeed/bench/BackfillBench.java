package dev.whiskfeed.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.whiskfeed.app.Provider;
import dev.whiskfeed.it.Api;
import dev.whiskfeed.it.TestProvider;
import dev.whiskfeed.testing.StandInOpenWhisk;
import dev.whiskfeed.testing.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * What a backfill costs (issue 21): its speed with no writers, and what four single-row writers
 * keep of their throughput while it runs. One durable server of its own (fsync and synchronous
 * commit on), a table of {@code whiskfeed.bench.rows} rows (default 1,000,000), a feed paused so
 * delivery does not compete (the backfill stores its events as it does while a feed is paused).
 * Sequence, all in one sitting so the ratios compare like with like on a loaded machine: writers
 * alone, a backfill alone (rows/s), writers during a second backfill, writers alone again.
 *
 * <p>{@code mvn -B -o -Pbench verify -pl provider -Dit.test=BackfillBench [-Dwhiskfeed.bench.rows=200000]
 * [-Dwhiskfeed.bench.capture=wal] [-Dwhiskfeed.bench.chunkRows=1000 -Dwhiskfeed.bench.pauseMs=20]
 * [-Dwhiskfeed.bench.seconds=10]}
 */
class BackfillBench {
  static final int ROWS = Integer.getInteger("whiskfeed.bench.rows", 1_000_000);
  static final int SECONDS = Integer.getInteger("whiskfeed.bench.seconds", 10);
  static final int WRITERS = 4;
  static final String CAPTURE = System.getProperty("whiskfeed.bench.capture", "trigger");
  static final String KEY = "bench-0000-0000-0000-000000000000:benchkey";

  @Test
  void backfill() throws Exception {
    try (EmbeddedPostgres server = Durability.logicalServer()) {
      TestDatabase admin = new TestDatabase("localhost", server.getPort(), "postgres", "postgres", "postgres");
      admin.execute("CREATE DATABASE bench");
      measure(new TestDatabase("localhost", server.getPort(), "bench", "postgres", "postgres"));
    }
  }

  private void measure(TestDatabase db) throws Exception {
    db.execute("CREATE TABLE public.orders (id bigserial PRIMARY KEY, customer int NOT NULL, status text NOT NULL,"
        + " total numeric(12,2), created_at timestamptz NOT NULL DEFAULT now())");
    db.execute("INSERT INTO public.orders (customer, status, total) SELECT i % 1000, 'new', i * 0.01 "
        + "FROM generate_series(1, " + ROWS + ") i");
    db.execute("VACUUM ANALYZE public.orders");
    Vertx vertx = Vertx.vertx();
    StandInOpenWhisk openwhisk = StandInOpenWhisk.start(vertx);
    Map<String, String> env = new HashMap<>(Map.of("WHISKFEED_VERIFY_TRIGGERS", "false"));
    if (System.getProperty("whiskfeed.bench.chunkRows") != null) {
      env.put("WHISKFEED_BACKFILL_CHUNK_ROWS", System.getProperty("whiskfeed.bench.chunkRows"));
    }
    if (System.getProperty("whiskfeed.bench.pauseMs") != null) {
      env.put("WHISKFEED_BACKFILL_PAUSE_MS", System.getProperty("whiskfeed.bench.pauseMs"));
    }
    Provider provider = TestProvider.start(db, openwhisk.url(), env);
    try {
      Api api = new Api(provider.port(), KEY);
      Api.Response created = api.create("guest", "orders", new JsonObject().put("kind", "changes")
          .put("table", "public.orders").put("capture", CAPTURE));
      assertThat(created.status()).as(created.body()).isEqualTo(200);
      assertThat(api.pause("guest", "orders").status()).isEqualTo(200);

      double before = writerTps(db, SECONDS, null);
      long t0 = System.nanoTime();
      start(api);
      long rows = awaitDone(api);
      double alone = rows / ((System.nanoTime() - t0) / 1e9);

      start(api);
      double during = writerTps(db, SECONDS, () -> running(api));
      awaitDone(api);
      double after = writerTps(db, SECONDS, null);

      double baseline = (before + after) / 2;
      System.out.printf(Locale.ROOT, "%nBackfillBench capture=%s rows=%d chunkRows=%s pauseMs=%s cores=%d load=%s%n"
              + "  backfill alone:             %,.0f rows/s%n"
              + "  4 writers alone:            %,.0f tx/s (before %,.0f, after %,.0f)%n"
              + "  4 writers during backfill:  %,.0f tx/s = %.0f %% of alone%n",
          CAPTURE, ROWS, env.getOrDefault("WHISKFEED_BACKFILL_CHUNK_ROWS", "default"),
          env.getOrDefault("WHISKFEED_BACKFILL_PAUSE_MS", "default"), Runtime.getRuntime().availableProcessors(),
          loadAverage(), alone, baseline, before, after, during, 100 * during / baseline);
    } finally {
      provider.close();
      openwhisk.close();
      vertx.close();
    }
  }

  private static void start(Api api) {
    Api.Response r = api.backfill("guest", "orders", null);
    assertThat(r.status()).as(r.body()).isEqualTo(202);
  }

  private static boolean running(Api api) {
    return "running".equals(backfill(api).getString("state"));
  }

  private static JsonObject backfill(Api api) {
    return api.read("guest", "orders").json().getJsonObject("status").getJsonObject("backfill");
  }

  /** The rows the backfill sent: the table's, with the writers' rows added so far. */
  private static long awaitDone(Api api) {
    await().atMost(Duration.ofMinutes(30)).pollInterval(Duration.ofMillis(100))
        .until(() -> "done".equals(backfill(api).getString("state")));
    long rows = backfill(api).getLong("rows");
    assertThat(rows).isGreaterThanOrEqualTo(ROWS);
    return rows;
  }

  /**
   * Four closed-loop writers, one single-row INSERT per transaction, for {@code seconds}; with
   * {@code stillRunning}, fails unless the backfill ran the whole time (else the ratio means nothing).
   */
  private static double writerTps(TestDatabase db, int seconds, java.util.function.BooleanSupplier stillRunning)
      throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong done = new AtomicLong();
    List<Thread> threads = new ArrayList<>();
    List<Connection> connections = new ArrayList<>();
    for (int w = 0; w < WRITERS; w++) {
      Connection c = db.connect();
      connections.add(c);
      PreparedStatement insert = c.prepareStatement("INSERT INTO public.orders (customer, status, total) "
          + "VALUES (?, 'new', 1.00)");
      Thread t = new Thread(() -> {
        try {
          while (!stop.get()) {
            insert.setInt(1, (int) (done.get() % 1000));
            insert.executeUpdate();
            done.incrementAndGet();
          }
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      threads.add(t);
    }
    long t0 = System.nanoTime();
    threads.forEach(Thread::start);
    Thread.sleep(seconds * 1000L); // a benchmark's measuring window, not a wait for a condition
    long n = done.get();
    double elapsed = (System.nanoTime() - t0) / 1e9;
    stop.set(true);
    for (Thread t : threads) t.join();
    for (Connection c : connections) c.close();
    if (stillRunning != null) {
      assertThat(stillRunning.getAsBoolean()).as("the backfill outlasted the measuring window (raise rows)").isTrue();
    }
    return n / elapsed;
  }

  private static String loadAverage() {
    try {
      return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).split(" ")[0];
    } catch (Exception e) {
      return "?";
    }
  }
}
