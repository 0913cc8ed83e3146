package dev.whiskfeed.bench;

import static org.awaitility.Awaitility.await;

import dev.whiskfeed.app.Provider;
import dev.whiskfeed.it.Api;
import dev.whiskfeed.it.TestProvider;
import dev.whiskfeed.testing.StandInOpenWhisk;
import dev.whiskfeed.testing.TestDatabase;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
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
import org.junit.jupiter.api.Test;

/**
 * WAL capture's decode-and-store rate, the provider alone: rows are written while the provider is
 * stopped (the slot keeps them), then the provider starts and the time until every event is stored
 * in whiskfeed.events is measured (the feed is paused, so nothing is delivered). Shapes: 100-row
 * transactions (one INSERT each) and single-row transactions. Also the provider JVM's CPU, its slot
 * reading thread's, the walsender's and the provider's backends' per row. Asserts nothing. Run:
 * {@code mvn -B -q -pl provider -am verify -Pbench -Dit.test=WalCaptureBench -Dtest=none
 * -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false}
 * ({@code -Dwhiskfeed.bench.rounds=3 -Dwhiskfeed.bench.rows100=200000 -Dwhiskfeed.bench.rows1=50000}).
 *
 * <p>{@code -Dwhiskfeed.bench.source=control} (default) captures a table of the control database
 * itself, as in embedded mode; {@code own} a table of another database on the same server, named in
 * {@code WHISKFEED_SOURCES} (the walsender still reads the event store's WAL records, and drops
 * them as another database's); {@code server} a database on a second Postgres server, so the
 * source's WAL holds none of the event store's records.
 */
class WalCaptureBench {
  static final int ROUNDS = Integer.getInteger("whiskfeed.bench.rounds", 3);
  static final int ROWS_100 = Integer.getInteger("whiskfeed.bench.rows100", 200_000);
  static final int ROWS_1 = Integer.getInteger("whiskfeed.bench.rows1", 50_000);
  /**
   * A/B of main-code variants in one run, alternating: each is a system property set (name=value)
   * while the provider runs; "default" sets none.
   */
  static final List<String> VARIANTS = List.of(System.getProperty("whiskfeed.bench.variants", "default").split(";"));
  static final String ACTIVITY = "SELECT pid, application_name, backend_type FROM pg_stat_activity";
  static final String SOURCE = System.getProperty("whiskfeed.bench.source", "control");
  static final String KEY = "bench-0000-0000-0000-000000000000:benchkey";
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private final StringBuilder report = new StringBuilder();
  /** Where the captured table is: the control database, another database of its server, or another server. */
  private TestDatabase source;

  @Test
  void decodeAndStore() throws Exception {
    try (EmbeddedPostgres server = Durability.logicalServer();
         EmbeddedPostgres second = SOURCE.equals("server") ? Durability.logicalServer() : null) {
      TestDatabase admin = new TestDatabase("localhost", server.getPort(), "postgres", "postgres", "postgres");
      admin.execute("CREATE DATABASE bench");
      TestDatabase control = new TestDatabase("localhost", server.getPort(), "bench", "postgres", "postgres");
      TestDatabase source = switch (SOURCE) {
        case "control" -> control;
        case "own" -> {
          admin.execute("CREATE DATABASE bench_source");
          yield new TestDatabase("localhost", server.getPort(), "bench_source", "postgres", "postgres");
        }
        case "server" -> new TestDatabase("localhost", second.getPort(), "postgres", "postgres", "postgres");
        default -> throw new IllegalArgumentException("whiskfeed.bench.source: control, own or server, not " + SOURCE);
      };
      measure(control, source);
    }
  }

  private void measure(TestDatabase db, TestDatabase source) throws Exception {
    this.source = source;
    source.execute("CREATE TABLE public.t (id bigserial PRIMARY KEY, customer int NOT NULL, status text NOT NULL,"
        + " total numeric(12,2), created_at timestamptz NOT NULL DEFAULT now())");
    Vertx vertx = Vertx.vertx();
    StandInOpenWhisk openwhisk = StandInOpenWhisk.start(vertx);
    try {
      try (Provider provider = start(db, openwhisk)) {
        Api api = new Api(provider.port(), KEY);
        JsonObject params = new JsonObject().put("kind", "changes").put("table", "public.t").put("capture", "wal");
        if (source != db) params.put("source", "src");
        Api.Response r = api.create("bench", "t", params);
        if (r.status() != 200) throw new IllegalStateException(r.body());
        Api.Response p = api.pause("bench", "t");
        if (p.status() != 200) throw new IllegalStateException(p.body());
      }
      line("Postgres " + db.query("SHOW server_version").get(0).values().iterator().next() + ", fsync and synchronous "
          + "commit on, captured table in " + (source == db ? "the control database" : SOURCE.equals("own")
          ? "a database of its own" : "a database on another server") + ", "
          + Runtime.getRuntime().availableProcessors() + " cores; " + ROUNDS + " rounds; medians (min-max)");
      int[][] shapes = {{100, ROWS_100 / 100}, {1, ROWS_1}};
      int nv = VARIANTS.size();
      double[][][][] out = new double[nv][2][7][ROUNDS];
      // a round of each shape first, not counted: a new JVM compiles the reading path
      for (int s = 0; s < 2; s++) once(db, openwhisk, shapes[s][0], shapes[s][1] / 5);
      for (int round = 0; round < ROUNDS; round++) {
        for (int k = 0; k < 2 * nv; k++) {
          int s = (round + k) % 2;
          int v = (round + k / 2) % nv;
          String variant = VARIANTS.get(v);
          if (!variant.equals("default")) System.setProperty(variant.split("=")[0], variant.split("=")[1]);
          try {
            double[] m = once(db, openwhisk, shapes[s][0], shapes[s][1]);
            for (int j = 0; j < m.length; j++) out[v][s][j][round] = m[j];
          } finally {
            if (!variant.equals("default")) System.clearProperty(variant.split("=")[0]);
          }
        }
      }
      for (int v = 0; v < nv; v++) {
        for (int s = 0; s < 2; s++) {
          line(String.format(Locale.ROOT, "%s%d rows in %s: %s rows/s from the provider's start (%s s), %s rows/s from "
                  + "the first stored event; CPU per row, us: provider JVM %s (its slot reading thread %s), walsender %s, "
                  + "provider backends %s", nv > 1 ? "[" + VARIANTS.get(v) + "] " : "", shapes[s][0] * shapes[s][1],
              shapes[s][0] == 1 ? "single-row transactions" : "100-row transactions", Spread.of(out[v][s][0], 0),
              Spread.of(out[v][s][6], 2), Spread.of(out[v][s][1], 0), Spread.of(out[v][s][2], 1), Spread.of(out[v][s][3], 1),
              Spread.of(out[v][s][4], 1), Spread.of(out[v][s][5], 1)));
        }
      }
      System.out.println(report);
      java.nio.file.Files.writeString(java.nio.file.Path.of("target", "wal-capture.txt"), report.toString());
    } finally {
      openwhisk.close();
      vertx.close();
    }
  }

  private Provider start(TestDatabase db, StandInOpenWhisk openwhisk) {
    if (source == db) return TestProvider.start(db, openwhisk.url(), Map.of("WHISKFEED_VERIFY_TRIGGERS", "false"));
    return TestProvider.start(db, openwhisk.url(), Map.of("WHISKFEED_VERIFY_TRIGGERS", "false",
        "WHISKFEED_SOURCES", "src=" + source.url(), "WHISKFEED_SOURCE_NAMESPACES", "control=*;src=*"));
  }

  /** [rows/s from start, rows/s from first, JVM us/row, reader thread us/row, walsender us/row, provider backends us/row, seconds]. */
  private double[] once(TestDatabase db, StandInOpenWhisk openwhisk, int rowsPerTx, int txs) throws Exception {
    // what the last provider left behind: WAL the next one decodes again before it reaches new changes
    Map<String, Object> slot = source.query("SELECT pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_current_wal_lsn(), restart_lsn)"
        + " AS restart_behind, pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_current_wal_lsn(), confirmed_flush_lsn) AS confirmed_behind"
        + " FROM pg_catalog.pg_replication_slots WHERE slot_name LIKE 'whiskfeed%'").get(0);
    System.out.printf(Locale.ROOT, "wal-capture: slot before the writes: restart %s bytes behind, confirmed %s bytes behind%n",
        slot.get("restart_behind"), slot.get("confirmed_behind"));
    db.execute("TRUNCATE whiskfeed.events");
    db.execute("VACUUM ANALYZE whiskfeed.events");
    source.execute("VACUUM ANALYZE public.t");
    String sql = rowsPerTx == 1 ? "INSERT INTO public.t (customer, status, total) VALUES (?, 'new', ?)"
        : "INSERT INTO public.t (customer, status, total) SELECT (? + g) % 1000, 'new', ? + g "
          + "FROM generate_series(1, " + rowsPerTx + ") g";
    try (Connection c = source.connect(); Statement s = c.createStatement(); PreparedStatement p = c.prepareStatement(sql)) {
      s.execute("SET synchronous_commit = off");
      for (int i = 0; i < txs; i++) {
        p.setInt(1, i % 1000);
        p.setBigDecimal(2, java.math.BigDecimal.valueOf(i, 2));
        p.executeUpdate();
      }
    }
    source.execute("CHECKPOINT");
    long rows = (long) rowsPerTx * txs;
    long jvm0 = jvmNanos();
    long t0 = System.nanoTime();
    long first = 0;
    double[] m = new double[7];
    try (Provider provider = start(db, openwhisk)) {
      long[] firstStored = {0};
      await().atMost(Duration.ofMinutes(10)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(100))
          .until(() -> {
            long n = db.queryLong("SELECT count(*) FROM whiskfeed.events");
            if (n > 0 && firstStored[0] == 0) firstStored[0] = System.nanoTime();
            return n >= rows;
          });
      long t1 = System.nanoTime();
      first = firstStored[0] == 0 ? t1 : firstStored[0];
      // In embedded mode the walsender also reads the event store's own WAL (to skip it): let it get
      // through what this round wrote before the provider stops, so that work is counted in this
      // round's CPU, not decoded again at the next round's start (not part of the rates)
      String end = String.valueOf(source.query("SELECT pg_catalog.pg_current_wal_insert_lsn()::text AS l").get(0).get("l"));
      await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(100)).until(() -> source.queryLong(
          "SELECT count(*) FROM pg_catalog.pg_replication_slots WHERE slot_name LIKE 'whiskfeed%' AND confirmed_flush_lsn >= ?::pg_lsn",
          end) == 1);
      // and move the slot's restart point here, as the server's snapshot records every 15 s would
      // in a longer run: otherwise the next start decodes this whole round again from the last one
      String snapshot = String.valueOf(source.query("SELECT pg_catalog.pg_current_wal_insert_lsn()::text AS l").get(0).get("l"));
      source.query("SELECT pg_catalog.pg_log_standby_snapshot()"); // a record at or after that position
      try {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> source.queryLong(
            "SELECT count(*) FROM pg_catalog.pg_replication_slots WHERE slot_name LIKE 'whiskfeed%' AND restart_lsn >= ?::pg_lsn",
            snapshot) == 1);
      } catch (org.awaitility.core.ConditionTimeoutException e) {
        System.out.println("wal-capture: the slot's restart point did not reach " + snapshot + " in 10 s");
      }
      List<Integer> senders = new ArrayList<>();
      List<Integer> providers = new ArrayList<>();
      // the provider's connections to either database, and the walsender of the source's slot
      List<Map<String, Object>> backends = new ArrayList<>(db.query(ACTIVITY));
      if (SOURCE.equals("server")) backends.addAll(source.query(ACTIVITY));
      for (Map<String, Object> r : backends) {
        int pid = ((Number) r.get("pid")).intValue();
        if ("walsender".equals(r.get("backend_type"))) senders.add(pid);
        else if ("whiskfeed".equals(r.get("application_name"))) providers.add(pid);
      }
      long reader = 0;
      for (Thread t : Thread.getAllStackTraces().keySet()) {
        if (t.getName().startsWith("whiskfeed-wal-")) reader += Math.max(0, THREADS.getThreadCpuTime(t.getId()));
      }
      m[0] = rows / ((t1 - t0) / 1e9);
      m[1] = rows / ((t1 - first) / 1e9);
      m[2] = (jvmNanos() - jvm0) / 1e3 / rows;
      m[3] = reader / 1e3 / rows;
      m[4] = CpuMeter.backendsNanos(senders) / 1e3 / rows;
      m[5] = CpuMeter.backendsNanos(providers) / 1e3 / rows;
      m[6] = (t1 - t0) / 1e9;
    }
    System.out.printf(Locale.ROOT, "wal-capture: %d rows in %d-row transactions: %.0f rows/s from start (%.2f s), "
        + "%.0f from first; us/row JVM %.1f reader %.1f walsender %.1f backends %.1f%n", rows, rowsPerTx, m[0], m[6], m[1],
        m[2], m[3], m[4], m[5]);
    return m;
  }

  private static long jvmNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  private void line(String s) {
    report.append("wal-capture: ").append(s).append('\n');
  }

}
