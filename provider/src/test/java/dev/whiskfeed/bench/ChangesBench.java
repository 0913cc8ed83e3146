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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The changes feed end to end: commit → fire latency, sustained events/s, catch-up after a
 * receiver outage. Prints its figures; asserts only that nothing was lost. The writer's cost is
 * {@link WriterOverheadBench}'s.
 * Run: {@code mvn -B -Pbench verify -pl provider -am -Dit.test=ChangesBench}.
 */
@ExtendWith(PgExtension.class)
class ChangesBench {
  static final String KEY = "bench-0000-0000-0000-000000000000:benchkey";
  static final double SECONDS = Double.parseDouble(System.getProperty("bench.seconds", "10"));
  /**
   * Seconds of one round of the same load before a latency measurement, not counted (JIT, caches,
   * pools). Rounds repeat until the JIT compiler used less than {@link #QUIET_JIT} of a core in one.
   */
  static final double WARMUP = Double.parseDouble(System.getProperty("bench.warmup", "5"));
  /**
   * A latency measurement starts once the JIT compiler is quiet: a new provider recompiles much of
   * the delivery path (another instance's type profiles no longer hold), and on two cores the
   * compiler's half core takes the CPU the measured path needs. A provider runs for days.
   */
  static final double QUIET_JIT = Double.parseDouble(System.getProperty("bench.quietJit", "0.05"));
  static final double WARMUP_MAX = Double.parseDouble(System.getProperty("bench.warmupMax", "120"));
  /**
   * {@code -Dbench.analyzeLast=true}: the event table analyzed right before the measured window, as
   * until 2026-12-07's seventh session (the provider's sessions then plan again inside it).
   */
  static final boolean ANALYZE_LAST = Boolean.getBoolean("bench.analyzeLast");
  /**
   * Seconds of untimed end-to-end load before the first part: a fresh JVM spends its first
   * minute compiling (on two cores the JIT takes up to half of one), a provider runs for days.
   */
  static final double JVM_WARMUP = Double.parseDouble(System.getProperty("bench.jvmWarmup", "30"));
  /**
   * The batchSize-100 part's writers commit transactions of 10 rows, each one multi-row INSERT as an
   * application writing in batches does (capture is per statement); {@code -Dbench.rowByRow=true}
   * makes them 10 single-row INSERTs, the shape measured until 2026-11-29.
   */
  static final boolean ROW_BY_ROW = Boolean.getBoolean("bench.rowByRow");
  /**
   * Delivered events already in the table before a latency part (spread over its feeds), as in a
   * store that keeps its history (a week by default): the claims then run as they do in
   * production, not on a table that was empty a minute ago. 0: none.
   */
  static final int HISTORY = Integer.getInteger("bench.history", 200_000);
  /**
   * Rows written to the first table (in 100-row transactions, as fast as one connection goes) and
   * delivered just before each latency part is measured: the latency right after a backlog drained
   * (leftover leases, dead index entries, ack batches). 0: none.
   */
  static final int BURST = Integer.getInteger("bench.burst", 0);
  /** Which parts to run, by name: latency1, latency100, sustained1, sustained100, catchup. */
  static final List<String> CASES = List.of(System.getProperty("bench.cases",
      "latency1,latency100,sustained1,sustained100,catchup").split(","));

  /**
   * The {@code capture} of the feeds the sustained batchSize-1 part creates: empty (the default, WAL
   * where the database allows it, as it does on the bench server) or a list, e.g. {@code wal,trigger},
   * run alternating {@link #REPS} times in the same run.
   */
  static final List<String> CAPTURES = System.getProperty("bench.capture", "").isBlank() ? List.of()
      : List.of(System.getProperty("bench.capture").split(","));
  static final int REPS = Integer.getInteger("bench.reps", 1);
  /**
   * {@code -Dbench.sourceServer=true}: the sustained parts' tables are in a database on a second Postgres
   * server (a source in {@code WHISKFEED_SOURCES}), the control database on the first, as operators
   * are told to place them for WAL capture (changes-feed.md, "Where to put the control database");
   * both servers run on this box.
   */
  static final boolean SOURCE_SERVER = Boolean.getBoolean("bench.sourceServer");
  private String capture;
  /** The second server of {@link #SOURCE_SERVER}, started at its first use. */
  private io.zonky.test.db.postgres.embedded.EmbeddedPostgres sourceServer;
  private int sourceDatabases;

  @Test
  void changesFeed(TestPostgres pg) throws Exception {
    Durability.production(pg);
    Vertx vertx = Vertx.vertx();
    try (Receiver receiver = Receiver.start(vertx)) {
      if (JVM_WARMUP > 0) sustained(pg, receiver, 1, 2000, 1, JVM_WARMUP, true);
      if (CASES.contains("latency1")) latency(pg, receiver, 1, 100, 1);
      if (CASES.contains("latency100")) latency(pg, receiver, 100, 1000, 1);
      if (CASES.contains("sustained1")) {
        if (CAPTURES.isEmpty()) {
          sustained(pg, receiver, 1, Integer.getInteger("bench.rate1", 5000), 1, SECONDS, false);
        } else {
          for (int rep = 0; rep < REPS; rep++) {
            for (int k = 0; k < CAPTURES.size(); k++) {
              capture = CAPTURES.get((rep + k) % CAPTURES.size()).strip();
              sustained(pg, receiver, 1, Integer.getInteger("bench.rate1", 5000), 1, SECONDS, false);
            }
          }
          capture = null;
        }
      }
      if (CASES.contains("sustained100")) sustained(pg, receiver, 100, Integer.getInteger("bench.rate100", 2000), 10, SECONDS, false);
      if (CASES.contains("catchup")) catchUp(pg, receiver);
    } finally {
      vertx.close();
      if (sourceServer != null) sourceServer.close();
    }
  }

  /** A fresh database on the second server, durable and with logical decoding as the first. */
  private TestDatabase sourceDatabase() throws java.io.IOException {
    if (sourceServer == null) {
      sourceServer = Durability.logicalServer();
    }
    String name = "source_" + (++sourceDatabases);
    new TestDatabase("localhost", sourceServer.getPort(), "postgres", "postgres", "postgres")
        .execute("CREATE DATABASE " + name);
    return new TestDatabase("localhost", sourceServer.getPort(), name, "postgres", "postgres");
  }

  private static void table(TestDatabase db, String name) {
    db.execute("CREATE TABLE " + name + " (id bigserial PRIMARY KEY, v bigint NOT NULL, note text, "
        + "created_at timestamptz NOT NULL DEFAULT now())");
  }

  private static Provider provider(TestDatabase db, Receiver receiver) {
    return provider(db, null, receiver);
  }

  /** {@code source}: a database on another server, the source {@code src}; null: none. */
  private static Provider provider(TestDatabase db, TestDatabase source, Receiver receiver) {
    Map<String, String> env = new java.util.HashMap<>(Map.of("WHISKFEED_VERIFY_TRIGGERS", "false",
        "WHISKFEED_DB_POOL_SIZE", "8", "WHISKFEED_LEASE_SEC", "30"));
    if (source != null) {
      env.put("WHISKFEED_SOURCES", "src=" + source.url());
      env.put("WHISKFEED_SOURCE_NAMESPACES", "control=*;src=*");
    }
    // e.g. -Dbench.minFires=256: a fixed number of fires in flight (WHISKFEED_MIN_CONCURRENT_FIRES)
    String minFires = System.getProperty("bench.minFires", "");
    if (!minFires.isBlank()) env.put("WHISKFEED_MIN_CONCURRENT_FIRES", minFires);
    // e.g. -Dbench.env='WHISKFEED_CAPTURE_CHECK_MS=2000;WHISKFEED_LEASE_SEC=60': any other setting of the provider
    env.putAll(dev.whiskfeed.testing.EmbeddedServers.settings(System.getProperty("bench.env", "")));
    return TestProvider.start(db, receiver.url(), env);
  }

  private void changesFeed(Api api, String trigger, String table, int batchSize) {
    changesFeed(api, trigger, table, batchSize, false);
  }

  private void changesFeed(Api api, String trigger, String table, int batchSize, boolean fromSource) {
    JsonObject body = new JsonObject().put("kind", "changes").put("table", table).put("events", "INSERT")
        .put("batchSize", batchSize);
    if (capture != null) body.put("capture", capture);
    if (fromSource) body.put("source", "src");
    Api.Response r = api.create("bench", trigger, body);
    assertThat(r.status()).as(r.body()).isEqualTo(200);
  }

  private static void reset(Receiver receiver) {
    receiver.events.set(0);
    receiver.fires.set(0);
    receiver.seen.clear();
    receiver.duplicates.set(0);
    receiver.onEnvelope = null;
    receiver.down = false;
    receiver.refused.set(0);
  }

  // ---- 2. commit -> fire latency

  private void latency(TestPostgres pg, Receiver receiver, int feeds, int rate, int batchSize) throws Exception {
    reset(receiver);
    // -Dbench.latencyCapture=trigger|wal: the latency parts' capture (default: the provider's choice)
    capture = System.getProperty("bench.latencyCapture");
    TestDatabase db = pg.newDatabase("latency");
    List<String> tables = new ArrayList<>();
    for (int i = 0; i < feeds; i++) {
      tables.add("public.t" + i);
      table(db, "public.t" + i);
    }
    ConcurrentHashMap<String, Long> committed = new ConcurrentHashMap<>();
    // joined after the run: a fire may arrive before its writer has noted the commit time
    ConcurrentHashMap<String, Long> received = new ConcurrentHashMap<>();
    receiver.onEnvelope = (env, at) -> received.putIfAbsent("public." + env.getJsonObject("table").getString("name")
        + ":" + env.getJsonObject("event").getJsonObject("data").getJsonObject("new").getLong("id"), at);
    try (Provider provider = provider(db, receiver)) {
      Api api = new Api(provider.port(), KEY);
      for (int i = 0; i < feeds; i++) changesFeed(api, "f" + i, tables.get(i), batchSize);
      history(db, feeds);
      int writers = Math.min(16, Math.max(2, rate / 100));
      long rows;
      CpuMeter cpu;
      // the same connections for the warm-up and the measurement, as an application's pool
      try (Writers w = Writers.open(db, tables, writers)) {
        double warmed = 0;
        double jitShare = 1;
        while (WARMUP > 0 && jitShare >= QUIET_JIT && warmed < WARMUP_MAX) {
          if (!ANALYZE_LAST) analyzeEvents(db);
          long jit = CpuMeter.compilerNanos();
          long t0 = System.nanoTime();
          long warm = w.run(rate, 1, WARMUP, committed);
          waitFor(() -> received.size() >= warm, 30);
          double secs = (System.nanoTime() - t0) / 1e9;
          jitShare = (CpuMeter.compilerNanos() - jit) / 1e9 / secs;
          warmed += secs;
          committed.clear();
          received.clear();
        }
        if (ANALYZE_LAST || WARMUP <= 0) analyzeEvents(db);
        if (WARMUP > 0) {
          System.out.printf("BENCH (warm-up, not counted) %d feeds at %d events/s for %.0f s, until the JIT compiler used "
              + "%.1f %% of a core (stops under %.0f %% or after %.0f s)%n", feeds, rate, warmed, jitShare * 100,
              QUIET_JIT * 100, WARMUP_MAX);
        }
        if (BURST > 0) {
          long t0 = System.nanoTime();
          for (int done = 0; done < BURST; done += 100) {
            db.execute("INSERT INTO " + tables.get(0) + " (v) SELECT g FROM generate_series(1, ?) g", Math.min(100, BURST - done));
          }
          waitFor(() -> received.size() >= BURST, 120);
          System.out.printf("BENCH (burst, not counted) %d events written and delivered in %.2f s%n", BURST,
              (System.nanoTime() - t0) / 1e9);
          received.clear();
        }
        Statements.reset(db);
        cpu = CpuMeter.start(db);
        rows = w.run(rate, 1, SECONDS, committed);
      }
      waitFor(() -> received.size() >= rows, 30);
      Statements.print(db, feeds + " feeds at " + rate + " events/s");
      long[] l = committed.entrySet().stream().filter(e -> received.containsKey(e.getKey()))
          .mapToLong(e -> received.get(e.getKey()) - e.getValue()).sorted().toArray();
      System.out.printf("BENCH commit->fire latency, %d feeds at %d events/s (%d events): p50 %.2f ms, p99 %.2f ms, "
          + "max %.2f ms; %s%n", feeds, rate, l.length, pct(l, 0.5), pct(l, 0.99), l[l.length - 1] / 1e6,
          cpu.perEvent(rows));
      if (Boolean.getBoolean("bench.slow")) {
        long first = committed.values().stream().mapToLong(Long::longValue).min().orElse(0);
        System.out.printf("BENCH slow: the first commit at %s (wall clock)%n",
            java.time.Instant.now().minusNanos(System.nanoTime() - first));
        committed.entrySet().stream().filter(e -> received.containsKey(e.getKey()))
            .filter(e -> received.get(e.getKey()) - e.getValue() > 6_000_000L).sorted(Map.Entry.comparingByValue())
            .forEach(e -> System.out.printf("BENCH slow: committed at +%.3f s, fired after %.1f ms%n",
                (e.getValue() - first) / 1e9, (received.get(e.getKey()) - e.getValue()) / 1e6));
      }
      assertThat(l.length).isEqualTo(rows);
    } finally {
      capture = null;
    }
  }

  /**
   * What autovacuum does within a minute or two of a new table's first writes: until then the
   * provider's statements keep plans made while the event table was empty (an ack that scans the
   * table), and every part runs on a new database. Done at the start of every warm-up round, so the
   * provider's sessions plan their statements again (the statistics changed) before the measured
   * window, not in its first second.
   */
  private static void analyzeEvents(TestDatabase db) {
    db.execute("ANALYZE whiskfeed.events");
  }

  /** {@link #HISTORY} delivered events, then what autovacuum would have done with them. */
  private static void history(TestDatabase db, int feeds) {
    if (HISTORY <= 0) return;
    db.execute("INSERT INTO whiskfeed.events (feed_id, op, payload, state, attempts, delivered_at, last_status) "
        + "SELECT f.id, 'INSERT', jsonb_build_object('n', g), 'delivered', 1, now() - interval '1 hour', 202 "
        + "FROM generate_series(1, ?) g JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM whiskfeed.feeds) f "
        + "ON f.k = g % ?", HISTORY, feeds);
    db.execute("VACUUM ANALYZE whiskfeed.events");
  }

  // ---- 1. sustained end-to-end

  private void sustained(TestPostgres pg, Receiver receiver, int batchSize, int txRate, int rowsPerTx, double seconds,
                         boolean warmUp) throws Exception {
    reset(receiver);
    TestDatabase db = pg.newDatabase("sustained");
    // the writers' database: the control database, or a source on the second server
    TestDatabase source = SOURCE_SERVER ? sourceDatabase() : null;
    TestDatabase written = source != null ? source : db;
    List<String> tables = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      tables.add("public.s" + i);
      table(written, "public.s" + i);
    }
    ConcurrentHashMap<String, Long> committed = new ConcurrentHashMap<>();
    try (Provider provider = provider(db, source, receiver)) {
      Api api = new Api(provider.port(), KEY);
      for (int i = 0; i < tables.size(); i++) changesFeed(api, "s" + i, tables.get(i), batchSize, source != null);
      Statements.reset(db);
      CpuMeter cpu = source != null ? CpuMeter.start(db, source) : CpuMeter.start(db);
      long t0 = System.nanoTime();
      long rows = Writers.openLoop(written, tables, 16, txRate, rowsPerTx, !ROW_BY_ROW, seconds, committed);
      double writeSecs = (System.nanoTime() - t0) / 1e9;
      long atWriteEnd = receiver.seen.size();
      waitFor(() -> receiver.seen.size() >= rows, 60);
      double totalSecs = (System.nanoTime() - t0) / 1e9;
      System.out.printf((warmUp ? "BENCH (warm-up, not counted) " : "BENCH ") + "sustained, capture "
          + (capture == null ? "default" : capture) + (source != null ? ", tables on another server" : "")
          + ", batchSize %d, %s: "
          + "offered %.0f events/s for %.1f s; delivered %d of %d by the end of writing (backlog %d), all after "
          + "%.1f s: %.0f events/s end to end, %d fires, %d duplicates; %s%n",
          batchSize, shape(rowsPerTx), rows / writeSecs, writeSecs, atWriteEnd, rows, rows - atWriteEnd, totalSecs,
          rows / totalSecs, receiver.fires.get(), receiver.duplicates.get(), cpu.perEvent(rows));
      Statements.print(db, "sustained, batchSize " + batchSize);
      assertThat(receiver.seen).hasSize((int) rows);
    }
  }

  private static String shape(int rowsPerTx) {
    if (rowsPerTx == 1) return "single-row INSERTs";
    return "transactions of " + rowsPerTx + (ROW_BY_ROW ? " single-row INSERTs" : " rows in one INSERT");
  }

  // ---- 5. catch-up

  private void catchUp(TestPostgres pg, Receiver receiver) throws Exception {
    TestDatabase db = pg.newDatabase("catchup");
    table(db, "public.c");
    try (Provider provider = provider(db, receiver)) {
      changesFeed(new Api(provider.port(), KEY), "c", "public.c", 1);
      // The first outage of a JVM changes the paths it runs (failures, then no fires at all while
      // the feed's breaker is open), and the compiler recompiles the delivery path while the first
      // backlog drains. A shorter outage first, printed but not counted, measures the warm engine.
      if (WARMUP > 0) outage(db, receiver, Math.max(2, SECONDS / 2), true);
      outage(db, receiver, SECONDS * 2, false);
    }
  }

  private void outage(TestDatabase db, Receiver receiver, double seconds, boolean warmUp) throws Exception {
    reset(receiver);
    receiver.down = true;
    long rows = Writers.openLoop(db, List.of("public.c"), 8, 1000, 1, false, seconds, new ConcurrentHashMap<>());
    receiver.down = false;
    long refused = receiver.refused.get();
    Statements.reset(db);
    CpuMeter cpu = CpuMeter.start(db);
    long t0 = System.nanoTime();
    // the first fire after the outage waits out its backoff or the breaker's next probe
    waitFor(() -> receiver.seen.size() > 1, 120);
    long t1 = System.nanoTime();
    long first = receiver.seen.size();
    waitFor(() -> receiver.seen.size() >= rows, 120);
    long t2 = System.nanoTime();
    System.out.printf((warmUp ? "BENCH (warm-up, not counted) " : "BENCH ") + "catch-up after a %.0f s receiver "
        + "outage: %d events, %d fires refused during it; first delivery %.1f s after the receiver came back (the "
        + "retry backoff or the next probe), then %d drained in %.1f s = %.0f events/s; %s%n",
        seconds, rows, refused, (t1 - t0) / 1e9, rows - first, (t2 - t1) / 1e9, (rows - first) / ((t2 - t1) / 1e9),
        cpu.perEvent(rows));
    if (!warmUp) Statements.print(db, "catch-up");
    assertThat(receiver.seen).hasSize((int) rows);
  }

  static double pct(long[] sorted, double p) {
    return sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))] / 1e6;
  }

  static void waitFor(java.util.function.BooleanSupplier done, int seconds) {
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    while (!done.getAsBoolean() && System.nanoTime() < end) {
      java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
    }
  }
}
