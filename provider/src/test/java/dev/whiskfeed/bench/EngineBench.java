package dev.whiskfeed.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whiskfeed.app.Provider;
import dev.whiskfeed.it.Api;
import dev.whiskfeed.it.TestProvider;
import dev.whiskfeed.testing.PgExtension;
import dev.whiskfeed.testing.TestDatabase;
import dev.whiskfeed.testing.TestPostgres;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Events per second through the delivery engine alone: events pre-inserted while the feeds are
 * paused, then UNPAUSE, receiver answering 202 at once. Prints figures; asserts only completeness.
 * Run: {@code mvn -B -Pbench verify -pl provider -am}.
 */
@ExtendWith(PgExtension.class)
class EngineBench {
  static final String KEY = "bench-0000-0000-0000-000000000000:benchkey";

  @Test
  void engineThroughput(TestPostgres pg) throws Exception {
    Durability.production(pg);
    Vertx vertx = Vertx.vertx();
    try (Receiver receiver = Receiver.start(vertx)) {
      boolean first = true;
      for (String b : System.getProperty("bench.batches", "1,100").split(",")) {
        int batch = Integer.parseInt(b.trim());
        int reps = Integer.getInteger("bench.reps", 3);
        // the first runs of a fresh JVM measure the JIT compiler more than the engine: a provider
        // runs for days, so untimed runs come first (each run starts a new provider in this JVM)
        int warmups = first ? Integer.getInteger("bench.warmupReps", 3) : 0;
        first = false;
        for (int rep = 0; rep < warmups + reps; rep++) {
          run(pg, receiver, batch, batch == 1 ? 30_000 : 100_000, 20, rep < warmups);
        }
      }
    } finally {
      vertx.close();
    }
  }

  private void run(TestPostgres pg, Receiver receiver, int batchSize, int events, int feeds, boolean warmUp)
      throws Exception {
    TestDatabase db = pg.newDatabase("bench");
    receiver.events.set(0);
    receiver.fires.set(0);
    receiver.seen.clear();
    receiver.duplicates.set(0);
    Map<String, String> env = new java.util.HashMap<>(Map.of("WHISKFEED_VERIFY_TRIGGERS", "false",
        "WHISKFEED_DB_POOL_SIZE", "8", "WHISKFEED_LEASE_SEC", "30"));
    // e.g. -Dbench.maxFires=64: the fire slots (WHISKFEED_MAX_CONCURRENT_FIRES)
    String maxFires = System.getProperty("bench.maxFires", "");
    if (!maxFires.isBlank()) env.put("WHISKFEED_MAX_CONCURRENT_FIRES", maxFires);
    // e.g. -Dbench.minFires=256: a fixed number of fires in flight (WHISKFEED_MIN_CONCURRENT_FIRES)
    String minFires = System.getProperty("bench.minFires", "");
    if (!minFires.isBlank()) env.put("WHISKFEED_MIN_CONCURRENT_FIRES", minFires);
    try (Provider provider = TestProvider.start(db, receiver.url(), env)) {
      Api api = new Api(provider.port(), KEY);
      for (int f = 0; f < feeds; f++) {
        api.create("bench", "t" + f, new JsonObject().put("kind", "webhook").put("batchSize", batchSize));
        api.pause("bench", "t" + f);
      }
      db.execute("INSERT INTO whiskfeed.events (feed_id, op, payload) SELECT f.id, 'MANUAL', "
          + "jsonb_build_object('data', jsonb_build_object('n', g, 'pad', repeat('x', 200))) "
          + "FROM generate_series(1, ?) g JOIN whiskfeed.feeds f ON f.id = 1 + (g % ?)", events, feeds);
      // The backlog as autovacuum leaves it within a minute of its inserts (since Postgres 13 inserts
      // alone start it): UNPAUSE answers with the feed's counts, and on a table just written those
      // read every row's heap tuple (20 answers, 3 µs of the server's CPU per event of the drain).
      if (!Boolean.getBoolean("bench.unvacuumed")) db.execute("VACUUM whiskfeed.events");
      // an experiment on the store before the run (say, an index dropped), e.g. -Dbench.beforeSql='DROP INDEX ...'
      String before = System.getProperty("bench.beforeSql", "");
      if (!before.isBlank()) db.execute(before);
      Statements.reset(db);
      long t0 = System.nanoTime();
      CpuMeter cpu = CpuMeter.start(db);
      long receiverCpu = receiver.cpuNanos();
      for (int f = 0; f < feeds; f++) api.unpause("bench", "t" + f);
      // -Dbench.exposure=true: every 100 ms, the events the receiver has and the store does not yet
      // call delivered: what a kill -9 at that moment would fire again
      boolean exposure = Boolean.getBoolean("bench.exposure");
      java.util.List<Integer> exposed = new java.util.ArrayList<>();
      long nextSample = t0;
      while (receiver.seen.size() < events) {
        if (System.nanoTime() - t0 > 120_000_000_000L) break;
        if (exposure && System.nanoTime() - nextSample >= 0) {
          nextSample += 100_000_000L;
          int seenBefore = receiver.seen.size();
          long written = events - db.queryLong("SELECT count(*) FROM whiskfeed.pending");
          int seenAfter = receiver.seen.size();
          // kept when the query was quick enough to place its snapshot between the two reads
          if (seenBefore > 0 && seenAfter < events && seenAfter - seenBefore <= 50) {
            exposed.add((int) (seenAfter - written));
          }
        }
        Thread.onSpinWait();
        java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      // every outcome written: the pending set is empty (a look at a small table, not at the history,
      // whose CPU would count as the engine's)
      long acked;
      do {
        acked = events - db.queryLong("SELECT count(*) FROM whiskfeed.pending");
        if (acked < events) java.util.concurrent.locks.LockSupport.parkNanos(20_000_000);
      } while (acked < events && System.nanoTime() - t0 < 130_000_000_000L);
      System.out.printf((warmUp ? "BENCH (warm-up, not counted) " : "BENCH ") + "engine batchSize=%d events=%d feeds=%d: %.0f events/s (%.2f s, %d fires, %d duplicates); "
          + "%s%n", batchSize, events, feeds, events / secs, secs, receiver.fires.get(), receiver.duplicates.get(),
          cpu.perEvent(events) + String.format("; of the JVM's, the stand-in OpenWhisk's threads %.0f µs",
              (receiver.cpuNanos() - receiverCpu) / 1e3 / events));
      if (exposure && !exposed.isEmpty()) {
        double[] v = exposed.stream().mapToDouble(Integer::doubleValue).toArray();
        System.out.println("BENCH   fired, outcome not yet written (median (min-max) of " + v.length + " samples): "
            + Spread.of(v, 0));
      }
      if (!warmUp) Statements.print(db, "engine batchSize " + batchSize);
      // row versions written in place (HOT: no index entry) against all updates of the run
      System.out.println("BENCH   updates of whiskfeed.events (all, heap-only): " + db.query(
          "SELECT n_tup_upd AS all, n_tup_hot_upd AS hot FROM pg_stat_user_tables WHERE relid = 'whiskfeed.events'::regclass"));
      // what the delivered events take on disk once vacuum has run (the history retention keeps)
      db.execute("VACUUM whiskfeed.events");
      System.out.println("BENCH   whiskfeed.events after VACUUM: " + db.query("SELECT pg_table_size('whiskfeed.events') / 8192 AS "
          + "pages, pg_indexes_size('whiskfeed.events') / 8192 AS index_pages, (SELECT count(*) FROM whiskfeed.events) AS rows"));
      db.query("SELECT coalesce(status_code, 0) AS s, left(coalesce(error, ''), 120) AS e, count(*) AS n "
          + "FROM whiskfeed.delivery_log WHERE status_code IS DISTINCT FROM 202 GROUP BY 1, 2")
          .forEach(r -> System.out.println("BENCH   failed attempts: " + r));
      assertThat(receiver.seen).hasSize(events);
    }
  }
}
