package dev.whiskfeed.bench;

import dev.whiskfeed.app.Provider;
import dev.whiskfeed.it.Api;
import dev.whiskfeed.it.TestProvider;
import dev.whiskfeed.testing.StandInOpenWhisk;
import dev.whiskfeed.testing.TestDatabase;
import io.vertx.core.Vertx;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
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
 * Measures what capture costs the writer; asserts nothing. Two identical tables, one with a
 * changes feed (all operations, listen mode), measured in the same run, alternating, medians of
 * several rounds, on a Postgres of its own with fsync and synchronous commit on (as in
 * production; {@code -Dwhiskfeed.bench.durable=false} turns them off to show the CPU cost alone).
 * Capture is installed through the lifecycle API; the provider is then stopped so the figures are
 * the writer's cost alone (delivery would compete for the same cores). Run with
 * {@code mvn -B -o -q -pl provider verify -Pbench -Dit.test=WriterOverheadBench}
 * ({@code -Dwhiskfeed.bench.writers=1,4,16 -Dwhiskfeed.bench.seconds=4 -Dwhiskfeed.bench.rounds=3});
 * the figures are printed and written to {@code target/writer-overhead.txt}.
 */
class WriterOverheadBench {
  static final int[] WRITERS = Arrays.stream(System.getProperty("whiskfeed.bench.writers", "1,16,64").split(","))
      .mapToInt(w -> Integer.parseInt(w.strip())).toArray();
  static final int SECONDS = Integer.getInteger("whiskfeed.bench.seconds", 4);
  /** fsync and synchronous_commit on, as a production server has them; false: CPU cost only. */
  static final boolean DURABLE = Boolean.parseBoolean(System.getProperty("whiskfeed.bench.durable", "true"));
  static final int ROUNDS = Integer.getInteger("whiskfeed.bench.rounds", 3);
  static final int BULK_ROWS = 100_000;
  static final int UPDATE_ROWS = 10_000;
  static final int CPU_INSERTS = 20_000;

  final StringBuilder report = new StringBuilder();

  @Test
  void writerOverhead() throws Exception {
    // a server of its own: the test servers run with fsync and synchronous commit off
    String on = DURABLE ? "on" : "off";
    try (EmbeddedPostgres server = EmbeddedPostgres.builder().setServerConfig("fsync", on)
        .setServerConfig("synchronous_commit", on).setServerConfig("full_page_writes", on)
        .setServerConfig("max_connections", "300").start()) {
      TestDatabase admin = new TestDatabase("localhost", server.getPort(), "postgres", "postgres", "postgres");
      admin.execute("CREATE DATABASE bench");
      measure(new TestDatabase("localhost", server.getPort(), "bench", "postgres", "postgres"));
    }
  }

  private void measure(TestDatabase db) throws Exception {
    for (String t : List.of("plain", "captured")) {
      db.execute("CREATE TABLE public." + t + " (id bigserial PRIMARY KEY, customer int NOT NULL, status text NOT NULL,"
          + " total numeric(12,2), created_at timestamptz NOT NULL DEFAULT now())");
    }
    Vertx vertx = Vertx.vertx();
    StandInOpenWhisk openwhisk = StandInOpenWhisk.start(vertx);
    try (Provider provider = TestProvider.start(db, openwhisk.url(), Map.of("WHISKFEED_VERIFY_TRIGGERS", "false"))) {
      Api.Response r = new Api(provider.port(), "bench-0000-0000-0000-000000000000:benchkey").create("bench",
          "captured", new io.vertx.core.json.JsonObject().put("kind", "changes").put("table", "public.captured"));
      if (r.status() != 200) throw new IllegalStateException(r.body());
    } finally {
      openwhisk.close();
      vertx.close();
    }
    line("Postgres " + show(db, "server_version") + ", fsync=" + show(db, "fsync") + ", synchronous_commit="
        + show(db, "synchronous_commit") + ", " + Runtime.getRuntime().availableProcessors() + " cores; "
        + SECONDS + " s per run, " + ROUNDS + " rounds, A/B alternating; medians (min-max)");

    double[][][] tps = new double[WRITERS.length][2][ROUNDS];
    double[][] bulk = new double[2][ROUNDS];
    double[][] update = new double[2][ROUNDS];
    double[][] noop = new double[2][ROUNDS];
    double[][] cpu = new double[2][ROUNDS];
    String[] tables = {"plain", "captured"};
    for (int round = 0; round < ROUNDS; round++) {
      for (int k = 0; k < 2; k++) {
        int i = (round + k) % 2; // alternate which table goes first
        for (int w = 0; w < WRITERS.length; w++) {
          reset(db);
          tps[w][i][round] = singleRowInserts(db, tables[i], WRITERS[w]);
        }
        reset(db);
        cpu[i][round] = backendCpuPerInsert(db, tables[i], CPU_INSERTS);
        reset(db);
        bulk[i][round] = timed(db, "INSERT INTO public." + tables[i] + " (customer, status, total) "
            + "SELECT g % 1000, 'new', g FROM generate_series(1, " + BULK_ROWS + ") g");
        reset(db);
        update[i][round] = timed(db, "UPDATE public." + tables[i] + " SET status = 'paid' WHERE id IN (SELECT id FROM "
            + "public." + tables[i] + " ORDER BY id LIMIT " + UPDATE_ROWS + ")");
        reset(db);
        noop[i][round] = timed(db, "UPDATE public." + tables[i] + " SET status = status WHERE id IN (SELECT id FROM "
            + "public." + tables[i] + " ORDER BY id LIMIT " + UPDATE_ROWS + ")");
      }
    }
    for (int w = 0; w < WRITERS.length; w++) {
      line(String.format(Locale.ROOT, "single-row INSERT transactions/s, %d writers: without %s, with %s, ratio %.2f",
          WRITERS[w], spread(tps[w][0]), spread(tps[w][1]), median(tps[w][1]) / median(tps[w][0])));
    }
    line(String.format(Locale.ROOT, "server CPU per single-row INSERT transaction (the backend's own user+system "
        + "time, so other load on the machine hardly matters): without %s us, with %s us, +%.0f us per captured row",
        spread(cpu[0]), spread(cpu[1]), median(cpu[1]) - median(cpu[0])));
    ratio("INSERT ... SELECT of " + BULK_ROWS + " rows", bulk);
    ratio("UPDATE of " + UPDATE_ROWS + " rows", update);
    ratio("no-op UPDATE of " + UPDATE_ROWS + " rows", noop);
    System.out.println(report);
    Files.writeString(Path.of("target", DURABLE ? "writer-overhead-durable.txt" : "writer-overhead-cpu.txt"), report.toString());
  }

  private void ratio(String what, double[][] ms) {
    line(String.format(Locale.ROOT, "%s: without %s ms, with %s ms, ratio %.2f", what, spread(ms[0]), spread(ms[1]),
        median(ms[1]) / median(ms[0])));
  }

  private void line(String s) {
    report.append("writer-overhead: ").append(s).append('\n');
  }

  /** Empties the event table and settles the server, so each run starts alike. */
  private static void reset(TestDatabase db) {
    db.execute("TRUNCATE whiskfeed.events");
    db.execute("UPDATE whiskfeed.doorbell SET armed = false");
    db.execute("VACUUM ANALYZE public.plain, public.captured");
    db.execute("CHECKPOINT");
  }

  /**
   * Microseconds of CPU the server backend spends per single-row INSERT transaction, read from
   * {@code /proc/self/stat} of the backend (Linux; superuser) around {@code n} inserts made with
   * synchronous commit off, so waiting for the disk is not in it. Unlike throughput, this figure
   * does not move when other processes compete for the cores.
   */
  private static double backendCpuPerInsert(TestDatabase db, String table, int n) throws Exception {
    String ticks = "SELECT split_part(s, ' ', 14)::bigint + split_part(s, ' ', 15)::bigint "
        + "FROM pg_read_file('/proc/self/stat') AS s";
    try (Connection c = db.connect(); Statement s = c.createStatement(); PreparedStatement p = c.prepareStatement(
        "INSERT INTO public." + table + " (customer, status, total) VALUES (?, 'new', ?)")) {
      s.execute("SET synchronous_commit = off");
      for (int i = 0; i < 500; i++) insert(p); // warm the plan and the caches
      long before = longOf(s, ticks);
      for (int i = 0; i < n; i++) insert(p);
      long after = longOf(s, ticks);
      return (after - before) * 1e6 / CLOCK_TICKS_PER_SECOND / n;
    }
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

  private static String spread(double[] v) {
    return String.format(Locale.ROOT, "%.0f (%.0f-%.0f)", median(v), Arrays.stream(v).min().orElse(0),
        Arrays.stream(v).max().orElse(0));
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

  private static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }
}
