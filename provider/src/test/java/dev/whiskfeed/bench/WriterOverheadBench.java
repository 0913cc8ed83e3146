package dev.whiskfeed.bench;

import static org.awaitility.Awaitility.await;

import dev.whiskfeed.app.Provider;
import dev.whiskfeed.it.Api;
import dev.whiskfeed.it.TestProvider;
import dev.whiskfeed.testing.StandInOpenWhisk;
import dev.whiskfeed.testing.TestDatabase;
import io.vertx.core.Vertx;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/**
 * Measures what capture costs the writer; asserts nothing. Identical tables in one database, on a
 * Postgres of its own with fsync and synchronous commit on (as in production;
 * {@code -Dwhiskfeed.bench.durable=false} turns them off to show the CPU cost alone) and
 * {@code wal_level = logical}, measured in the same run, alternating, medians of several rounds:
 * <ul>
 *   <li>{@code plain}: a table nobody captures, nothing consuming a slot (the provider stopped) — the baseline;</li>
 *   <li>{@code floor}: the plain table in a publication of its own whose slot a bare consumer in this
 *       JVM reads and confirms without decoding into events ({@link SlotDrain}): the walsender's own
 *       cost, which no WAL consumer avoids;</li>
 *   <li>{@code trigger, provider stopped}: a trigger-captured table with the provider stopped (the
 *       method of the figures before WAL capture);</li>
 *   <li>{@code plain, provider running}, {@code trigger}, {@code wal}: the provider running with both
 *       feeds paused (the WAL feed's slot is consumed and its events stored, as in production). With
 *       both modes, the WAL feed's walsender also decodes (and drops) the other tables' writes.</li>
 * </ul>
 * {@code -Dwhiskfeed.bench.capture=trigger,wal} (default both) picks the modes. Run with
 * {@code mvn -B -q -pl provider -am verify -Pbench -Dit.test=WriterOverheadBench
 * -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false}
 * ({@code -Dwhiskfeed.bench.writers=1,16,64 -Dwhiskfeed.bench.seconds=4 -Dwhiskfeed.bench.rounds=3});
 * the figures are printed and written to {@code target/writer-overhead-durable.txt}.
 */
class WriterOverheadBench {
  static final int[] WRITERS = Arrays.stream(System.getProperty("whiskfeed.bench.writers", "1,16,64").split(","))
      .mapToInt(w -> Integer.parseInt(w.strip())).toArray();
  static final int SECONDS = Integer.getInteger("whiskfeed.bench.seconds", 4);
  /** fsync and synchronous_commit on, as a production server has them; false: CPU cost only. */
  static final boolean DURABLE = Boolean.parseBoolean(System.getProperty("whiskfeed.bench.durable", "true"));
  static final int ROUNDS = Integer.getInteger("whiskfeed.bench.rounds", 3);
  static final List<String> MODES = List.of(System.getProperty("whiskfeed.bench.capture", "trigger,wal").split(","));
  static final boolean TRIGGER_MODE = MODES.contains("trigger");
  static final boolean WAL_MODE = MODES.contains("wal");
  static final int BULK_ROWS = 100_000;
  static final int CPU_TX = Integer.getInteger("whiskfeed.bench.cpuTx", 20_000);
  static final int CPU_BATCH_TX = CPU_TX / 100;
  static final String KEY = "bench-0000-0000-0000-000000000000:benchkey";
  static final String FLOOR_SLOT = "bench_floor";
  static final String FLOOR_PUB = "bench_floor";
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  enum Case {
    PLAIN("plain (baseline: no consumer)", "plain", false),
    FLOOR("floor: bare slot consumer on plain", "plain", false),
    TRIGGER_STOPPED("trigger, provider stopped", "trig", false),
    PLAIN_RUNNING("plain, provider running", "plain", true),
    TRIGGER_RUNNING("trigger, provider running, feed paused", "trig", true),
    WAL("wal, provider running, feed paused", "walt", true);

    final String label;
    final String table;
    final boolean running;

    Case(String label, String table, boolean running) {
      this.label = label;
      this.table = table;
      this.running = running;
    }

    boolean enabled() {
      return switch (this) {
        case PLAIN -> true;
        case FLOOR, PLAIN_RUNNING, WAL -> WAL_MODE;
        case TRIGGER_STOPPED, TRIGGER_RUNNING -> TRIGGER_MODE;
      };
    }
  }

  final StringBuilder report = new StringBuilder();
  private Vertx vertx;
  private StandInOpenWhisk openwhisk;
  private Provider provider;
  private SlotDrain drain;
  private long walFeed;

  @Test
  void writerOverhead() throws Exception {
    // a server of its own: the test servers run with fsync and synchronous commit off
    String on = DURABLE ? "on" : "off";
    try (EmbeddedPostgres server = EmbeddedPostgres.builder().setServerConfig("fsync", on)
        .setServerConfig("synchronous_commit", on).setServerConfig("full_page_writes", on)
        .setServerConfig("max_connections", "300").setServerConfig("wal_level", "logical")
        .setServerConfig("max_replication_slots", "10").setServerConfig("max_wal_senders", "10").start()) {
      TestDatabase admin = new TestDatabase("localhost", server.getPort(), "postgres", "postgres", "postgres");
      admin.execute("CREATE DATABASE bench");
      measure(new TestDatabase("localhost", server.getPort(), "bench", "postgres", "postgres"));
    }
  }

  private void startProvider(TestDatabase db) {
    provider = TestProvider.start(db, openwhisk.url(), Map.of("WHISKFEED_VERIFY_TRIGGERS", "false"));
  }

  private void stopProvider() throws Exception {
    if (provider != null) provider.close();
    provider = null;
  }

  private void measure(TestDatabase db) throws Exception {
    for (String t : List.of("plain", "trig", "walt")) {
      db.execute("CREATE TABLE public." + t + " (id bigserial PRIMARY KEY, customer int NOT NULL, status text NOT NULL,"
          + " total numeric(12,2), created_at timestamptz NOT NULL DEFAULT now())");
    }
    vertx = Vertx.vertx();
    openwhisk = StandInOpenWhisk.start(vertx);
    try {
      startProvider(db);
      Api api = new Api(provider.port(), KEY);
      if (TRIGGER_MODE) feed(api, "trig", "trigger");
      if (WAL_MODE) {
        feed(api, "walt", "wal");
        walFeed = db.queryLong("SELECT id FROM whiskfeed.feeds WHERE trigger = 'walt'");
        db.execute("CREATE PUBLICATION " + FLOOR_PUB + " FOR TABLE public.plain");
      }
      line("feeds: " + db.query("SELECT trigger, state, config->>'capture' AS capture FROM whiskfeed.feeds"));
      stopProvider();
      line("Postgres " + show(db, "server_version") + ", fsync=" + show(db, "fsync") + ", synchronous_commit="
          + show(db, "synchronous_commit") + ", wal_level=" + show(db, "wal_level") + ", "
          + Runtime.getRuntime().availableProcessors() + " cores; " + SECONDS + " s per run, " + ROUNDS
          + " rounds, cases alternating; medians (min-max)");
      run(db);
    } finally {
      stopProvider();
      openwhisk.close();
      vertx.close();
    }
  }

  private void feed(Api api, String table, String capture) {
    Api.Response r = api.create("bench", table, new JsonObject().put("kind", "changes")
        .put("table", "public." + table).put("capture", capture));
    if (r.status() != 200) throw new IllegalStateException(r.body());
    Api.Response p = api.pause("bench", table);
    if (p.status() != 200) throw new IllegalStateException(p.body());
  }

  private void run(TestDatabase db) throws Exception {
    List<Case> cases = Arrays.stream(Case.values()).filter(Case::enabled).toList();
    int n = Case.values().length;
    double[][][] tps = new double[WRITERS.length][n][ROUNDS];
    double[][][] lag = new double[WRITERS.length][n][ROUNDS];
    double[][] bulk = new double[n][ROUNDS];
    double[][] bulkStored = new double[n][ROUNDS];
    double[][][] cpu1 = new double[n][4][ROUNDS];
    double[][][] cpu100 = new double[n][4][ROUNDS];
    for (int round = 0; round < ROUNDS; round++) {
      for (int phase = 0; phase < 2; phase++) {
        boolean running = (phase + round) % 2 == 1; // alternate which phase goes first
        List<Case> inPhase = new ArrayList<>(cases.stream().filter(c -> c.running == running).toList());
        if (inPhase.isEmpty()) continue;
        java.util.Collections.rotate(inPhase, round);
        if (running) {
          startProvider(db);
          caughtUp(db);
        }
        for (Case c : inPhase) {
          int i = c.ordinal();
          long t0 = System.nanoTime();
          if (c == Case.FLOOR) startFloor(db);
          try {
            for (int w = 0; w < WRITERS.length; w++) {
              reset(db, c);
              tps[w][i][round] = singleRowInserts(db, c.table, WRITERS[w]);
              long t = System.nanoTime();
              settle(db, c, Math.round(tps[w][i][round] * SECONDS));
              lag[w][i][round] = (System.nanoTime() - t) / 1e6;
            }
            reset(db, c);
            cpu1[i] = put(cpu1[i], round, cpu(db, c, 1, CPU_TX));
            reset(db, c);
            cpu100[i] = put(cpu100[i], round, cpu(db, c, 100, CPU_BATCH_TX));
            reset(db, c);
            long b0 = System.nanoTime();
            timed(db, "INSERT INTO public." + c.table + " (customer, status, total) "
                + "SELECT g % 1000, 'new', g FROM generate_series(1, " + BULK_ROWS + ") g");
            bulk[i][round] = (System.nanoTime() - b0) / 1e6;
            settle(db, c, BULK_ROWS);
            bulkStored[i][round] = (System.nanoTime() - b0) / 1e6;
          } finally {
            if (c == Case.FLOOR) stopFloor(db);
          }
          System.out.printf("writer-overhead: round %d, %s done in %.0f s%n", round + 1, c.label,
              (System.nanoTime() - t0) / 1e9);
        }
        if (running) stopProvider();
      }
    }
    int plain = Case.PLAIN.ordinal();
    for (int w = 0; w < WRITERS.length; w++) {
      line(String.format(Locale.ROOT, "single-row INSERT transactions/s, %d writers:", WRITERS[w]));
      for (Case c : cases) {
        int i = c.ordinal();
        double[] lost = new double[ROUNDS];
        for (int r = 0; r < ROUNDS; r++) lost[r] = 100 * (1 - tps[w][i][r] / tps[w][plain][r]);
        String behind = c == Case.WAL || c == Case.FLOOR ? String.format(Locale.ROOT,
            "; consumer caught up %s ms after the writers stopped", Spread.of(lag[w][i], 0)) : "";
        line(String.format(Locale.ROOT, "  %-42s %s TPS, lost %s %%%s", c.label, Spread.of(tps[w][i], 0),
            c == Case.PLAIN ? "-" : Spread.of(lost, 1), behind));
      }
    }
    line("INSERT ... SELECT of " + BULK_ROWS + " rows (ms until the statement returned; wal: until all events were "
        + "stored; floor: until the consumer had it all):");
    for (Case c : cases) {
      int i = c.ordinal();
      double[] ratio = new double[ROUNDS];
      double[] storedRatio = new double[ROUNDS];
      for (int r = 0; r < ROUNDS; r++) {
        ratio[r] = bulk[i][r] / bulk[plain][r];
        storedRatio[r] = bulkStored[i][r] / bulk[plain][r];
      }
      line(String.format(Locale.ROOT, "  %-42s %s ms (%s x plain)%s", c.label, Spread.of(bulk[i], 0), Spread.of(ratio, 2),
          c == Case.WAL || c == Case.FLOOR ? String.format(Locale.ROOT, "; all stored/consumed after %s ms (%s x plain)",
              Spread.of(bulkStored[i], 0), Spread.of(storedRatio, 2)) : ""));
    }
    line("database-side CPU, us (the writer's backend; the walsenders; the provider's backends, application_name "
        + "whiskfeed; and in this JVM the slot reading thread), synchronous_commit off, " + CPU_TX
        + " transactions:");
    for (Case c : cases) {
      int i = c.ordinal();
      line(String.format(Locale.ROOT, "  %-42s per single-row transaction: writer %s, walsender %s, provider backends %s"
              + " (JVM reader thread %s); per row of 100-row transactions: writer %s, walsender %s, provider backends %s"
              + " (JVM reader thread %s)", c.label, Spread.of(cpu1[i][0], 0), Spread.of(cpu1[i][1], 0), Spread.of(cpu1[i][2], 0),
          Spread.of(cpu1[i][3], 0), Spread.of(cpu100[i][0], 1), Spread.of(cpu100[i][1], 1), Spread.of(cpu100[i][2], 1), Spread.of(cpu100[i][3], 1)));
    }
    System.out.println(report);
    Files.writeString(Path.of("target", DURABLE ? "writer-overhead-durable.txt" : "writer-overhead-cpu.txt"), report.toString());
  }

  private static double[][] put(double[][] into, int round, double[] values) {
    for (int k = 0; k < values.length; k++) into[k][round] = values[k];
    return into;
  }

  private void startFloor(TestDatabase db) throws Exception {
    db.execute("SELECT pg_create_logical_replication_slot('" + FLOOR_SLOT + "', 'pgoutput')");
    drain = SlotDrain.start(db, FLOOR_SLOT, FLOOR_PUB);
  }

  private void stopFloor(TestDatabase db) throws Exception {
    if (drain != null) drain.close();
    drain = null;
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() ->
        db.query("SELECT 1 FROM pg_replication_slots WHERE slot_name = ? AND NOT active", FLOOR_SLOT).size() == 1);
    db.execute("SELECT pg_drop_replication_slot(?)", FLOOR_SLOT);
  }

  private void line(String s) {
    report.append("writer-overhead: ").append(s).append('\n');
  }

  /** Empties the event table and settles the server, so each run starts alike. */
  private void reset(TestDatabase db, Case c) throws Exception {
    caughtUp(db);
    db.execute("TRUNCATE whiskfeed.events");
    db.execute("UPDATE whiskfeed.doorbell SET armed = false");
    db.execute("VACUUM ANALYZE public.plain, public.trig, public.walt");
    db.execute("CHECKPOINT");
    caughtUp(db);
  }

  /** Waits until every walsender has read the WAL written so far (the consumers are idle again). */
  private void caughtUp(TestDatabase db) throws Exception {
    if (drain != null) drain.check();
    boolean expect = provider != null && WAL_MODE || drain != null;
    await().atMost(Duration.ofMinutes(5)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20)).until(() -> {
      List<Map<String, Object>> rows = db.query("SELECT count(*) AS senders, "
          + "coalesce(bool_and(sent_lsn >= pg_current_wal_insert_lsn() - 200), true) AS done FROM pg_stat_replication");
      long senders = ((Number) rows.get(0).get("senders")).longValue();
      return (senders > 0 || !expect) && Boolean.TRUE.equals(rows.get(0).get("done"));
    });
  }

  /** After writing {@code rows} to the case's table: waits until its consumer has them (wal: stored as events). */
  private void settle(TestDatabase db, Case c, long rows) throws Exception {
    if (c == Case.WAL) {
      await().atMost(Duration.ofMinutes(5)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(20))
          .until(() -> db.queryLong("SELECT count(*) FROM whiskfeed.events WHERE feed_id = ?", walFeed) >= rows);
    } else if (c == Case.FLOOR) {
      caughtUp(db);
    }
  }

  /**
   * Microseconds of CPU per row: [writer backend, walsenders, provider backends, slot reading thread
   * of this JVM], from /proc/&lt;pid&gt;/stat (Linux, server on this machine) around {@code txs}
   * transactions of {@code rowsPerTx} rows made with synchronous commit off, so waiting for the
   * disk is not in it, and until the consumer is done with them.
   */
  private double[] cpu(TestDatabase db, Case c, int rowsPerTx, int txs) throws Exception {
    String sql = rowsPerTx == 1 ? "INSERT INTO public." + c.table + " (customer, status, total) VALUES (?, 'new', ?)"
        : "INSERT INTO public." + c.table + " (customer, status, total) SELECT (? + g) % 1000, 'new', ? + g "
          + "FROM generate_series(1, " + rowsPerTx + ") g";
    try (Connection conn = db.connect(); Statement s = conn.createStatement(); PreparedStatement p = conn.prepareStatement(sql)) {
      s.execute("SET synchronous_commit = off");
      int writer = (int) longOf(s, "SELECT pg_backend_pid()");
      int warm = Math.max(5, 500 / rowsPerTx);
      for (int i = 0; i < warm; i++) insert(p); // warm the plan and the caches
      settle(db, c, (long) warm * rowsPerTx);
      caughtUp(db);
      long[] before = cpuNow(db, writer);
      for (int i = 0; i < txs; i++) insert(p);
      settle(db, c, (long) (warm + txs) * rowsPerTx);
      caughtUp(db);
      long[] after = cpuNow(db, writer);
      double[] out = new double[4];
      for (int k = 0; k < 4; k++) out[k] = (after[k] - before[k]) / 1e3 / ((double) txs * rowsPerTx);
      return out;
    }
  }

  /** ns so far: writer backend, walsenders, provider backends, slot reading threads (this JVM). */
  private static long[] cpuNow(TestDatabase db, int writer) {
    List<Integer> senders = new ArrayList<>();
    List<Integer> providers = new ArrayList<>();
    for (Map<String, Object> r : db.query("SELECT pid, application_name, backend_type FROM pg_stat_activity")) {
      int pid = ((Number) r.get("pid")).intValue();
      String app = String.valueOf(r.get("application_name"));
      if ("walsender".equals(r.get("backend_type"))) senders.add(pid);
      else if ("whiskfeed".equals(app)) providers.add(pid);
    }
    long threads = 0;
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith("whiskfeed-wal-") || t.getName().startsWith("bench-slot-drain")) {
        threads += Math.max(0, THREADS.getThreadCpuTime(t.getId()));
      }
    }
    return new long[] {CpuMeter.backendsNanos(List.of(writer)), CpuMeter.backendsNanos(senders),
        CpuMeter.backendsNanos(providers), threads};
  }

  /** USER_HZ: 100 on every Linux Postgres is likely to run on. */
  static final int CLOCK_TICKS_PER_SECOND = Integer.getInteger("whiskfeed.bench.clockTicks", 100);

  private static void insert(PreparedStatement p) throws Exception {
    p.setInt(1, ThreadLocalRandom.current().nextInt(1000));
    p.setBigDecimal(2, java.math.BigDecimal.valueOf(ThreadLocalRandom.current().nextInt(100_000), 2));
    p.executeUpdate();
  }

  private static long longOf(Statement s, String sql) throws Exception {
    try (var rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static double timed(TestDatabase db, String sql) throws Exception {
    try (Connection c = db.connect(); Statement s = c.createStatement()) {
      long t0 = System.nanoTime();
      s.execute(sql);
      return (System.nanoTime() - t0) / 1e6;
    }
  }

  private static Object show(TestDatabase db, String setting) {
    return db.query("SHOW " + setting).get(0).values().iterator().next();
  }

  private static double singleRowInserts(TestDatabase db, String table, int writers) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      long deadline = System.nanoTime() + SECONDS * 1_000_000_000L;
      List<Future<Long>> counts = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        counts.add(pool.submit(() -> {
          long n = 0;
          try (Connection c = db.connect(); PreparedStatement p = c.prepareStatement(
              "INSERT INTO public." + table + " (customer, status, total) VALUES (?, 'new', ?)")) {
            while (System.nanoTime() < deadline) {
              p.setInt(1, ThreadLocalRandom.current().nextInt(1000));
              p.setBigDecimal(2, java.math.BigDecimal.valueOf(ThreadLocalRandom.current().nextInt(100_000), 2));
              p.executeUpdate();
              n++;
            }
          }
          return n;
        }));
      }
      long total = 0;
      for (Future<Long> c : counts) total += c.get();
      return total / (double) SECONDS;
    } finally {
      pool.shutdown();
    }
  }

}
