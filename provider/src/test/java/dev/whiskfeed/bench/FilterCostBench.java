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
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What a row filter ({@code where}) costs per row, in each capture mode, A/B against the same
 * feed without a filter in one run, variants alternating per round:
 * <ul>
 *   <li>trigger capture: the writer's backend CPU per row (the filter runs in the writer's
 *       statement), for 100k rows in 1,000-row INSERT … SELECT statements and for 10k single-row
 *       transactions;
 *   <li>WAL capture: the slot reading thread's CPU per row (the filter runs there, in Java),
 *       decoding a backlog of 100k rows written while the provider was stopped.
 * </ul>
 * Filters: {@code all} passes every row (the cost of evaluating it), {@code half} passes every
 * second row (evaluating it, minus the events it saves). Asserts nothing. Run:
 * {@code mvn -B -q -pl provider -am verify -Pbench -Dit.test=FilterCostBench -Dtest=none
 * -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false}
 * ({@code -Dwhiskfeed.bench.rounds=3 -Dwhiskfeed.bench.rows=100000}).
 */
class FilterCostBench {
  static final int ROUNDS = Integer.getInteger("whiskfeed.bench.rounds", 3);
  static final int ROWS = Integer.getInteger("whiskfeed.bench.rows", 100_000);
  static final String KEY = "bench-0000-0000-0000-000000000000:benchkey";
  static final Map<String, JsonObject> FILTERS = Map.of(
      "none", new JsonObject(),
      "all", new JsonObject("{\"status\": {\"_in\": [\"new\", \"paid\"]}, \"total\": {\"_gte\": 0},"
          + " \"created_at\": {\"_gte\": \"2020-01-01T00:00:00Z\"}}"),
      "half", new JsonObject("{\"status\": {\"_in\": [\"paid\", \"shipped\"]}, \"total\": {\"_gte\": 0},"
          + " \"created_at\": {\"_gte\": \"2020-01-01T00:00:00Z\"}}"));
  static final List<String> VARIANTS = List.of("none", "all", "half");
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  @Test
  void filterCost() throws Exception {
    try (EmbeddedPostgres server = Durability.logicalServer()) {
      TestDatabase admin = new TestDatabase("localhost", server.getPort(), "postgres", "postgres", "postgres");
      admin.execute("CREATE DATABASE bench");
      TestDatabase db = new TestDatabase("localhost", server.getPort(), "bench", "postgres", "postgres");
      db.execute("CREATE TABLE public.t (id bigserial PRIMARY KEY, customer int NOT NULL, status text NOT NULL,"
          + " total numeric(12,2), created_at timestamptz NOT NULL DEFAULT now())");
      db.execute("CREATE TABLE public.w (LIKE public.t INCLUDING DEFAULTS)");
      db.execute("ALTER TABLE public.w ADD PRIMARY KEY (id)");
      Vertx vertx = Vertx.vertx();
      StandInOpenWhisk openwhisk = StandInOpenWhisk.start(vertx);
      StringBuilder report = new StringBuilder();
      report.append(String.format(Locale.ROOT, "filter-cost: Postgres %s, fsync on, %d cores; %d rounds, medians "
              + "(min-max)%n", db.query("SHOW server_version").get(0).values().iterator().next(),
          Runtime.getRuntime().availableProcessors(), ROUNDS));
      try {
        trigger(db, openwhisk, report);
        wal(db, openwhisk, report);
      } finally {
        openwhisk.close();
        vertx.close();
      }
      System.out.println(report);
      java.nio.file.Files.writeString(java.nio.file.Path.of("target", "filter-cost.txt"), report.toString());
    }
  }

  private static Provider start(TestDatabase db, StandInOpenWhisk openwhisk) {
    return TestProvider.start(db, openwhisk.url(), Map.of("WHISKFEED_VERIFY_TRIGGERS", "false"));
  }

  private static void setWhere(Api api, String trigger, String variant) {
    JsonObject where = FILTERS.get(variant);
    Api.Response r = api.update("bench", trigger, new JsonObject().put("where", where.isEmpty() ? null : where));
    if (r.status() != 200) throw new IllegalStateException(r.body());
  }

  private static void create(Api api, String trigger, String table, String capture) {
    Api.Response r = api.create("bench", trigger, new JsonObject().put("kind", "changes").put("table", table)
        .put("capture", capture));
    if (r.status() != 200) throw new IllegalStateException(r.body());
    Api.Response p = api.pause("bench", trigger);
    if (p.status() != 200) throw new IllegalStateException(p.body());
  }

  /** Writer backend CPU per row, us: [variant][shape][round]; shapes 1,000-row statements and single-row transactions. */
  private static void trigger(TestDatabase db, StandInOpenWhisk openwhisk, StringBuilder report) throws Exception {
    double[][][] us = new double[VARIANTS.size()][2][ROUNDS];
    try (Provider provider = start(db, openwhisk)) {
      Api api = new Api(provider.port(), KEY);
      create(api, "t", "public.t", "trigger");
      writeTrigger(db, 1000, ROWS / 10_000); // warm-up
      for (int round = 0; round < ROUNDS; round++) {
        for (int k = 0; k < VARIANTS.size(); k++) {
          int v = (round + k) % VARIANTS.size();
          setWhere(api, "t", VARIANTS.get(v));
          us[v][0][round] = writeTrigger(db, 1000, ROWS / 1000);
          us[v][1][round] = writeTrigger(db, 1, ROWS / 10);
        }
      }
      api.delete("bench", "t");
    }
    for (int v = 0; v < VARIANTS.size(); v++) {
      report.append(String.format(Locale.ROOT, "filter-cost: trigger [%s] writer backend CPU per row, us: %s in 1,000-row "
              + "statements, %s in single-row transactions%n", VARIANTS.get(v), Spread.of(us[v][0], 2),
          Spread.of(us[v][1], 1)));
    }
  }

  private static double writeTrigger(TestDatabase db, int rowsPerTx, int txs) throws Exception {
    db.execute("TRUNCATE whiskfeed.events");
    String sql = rowsPerTx == 1 ? "INSERT INTO public.t (customer, total, status) VALUES (?, ?, ?)"
        : "INSERT INTO public.t (customer, status, total) SELECT g, CASE WHEN g % 2 = 0 THEN 'new' ELSE 'paid' END,"
          + " ? + g FROM generate_series(1, " + rowsPerTx + ") g";
    try (Connection c = db.connect(); Statement s = c.createStatement(); PreparedStatement p = c.prepareStatement(sql)) {
      s.execute("SET synchronous_commit = off");
      int pid;
      try (var rs = s.executeQuery("SELECT pg_backend_pid()")) {
        rs.next();
        pid = rs.getInt(1);
      }
      long before = CpuMeter.backendsNanos(List.of(pid));
      for (int i = 0; i < txs; i++) {
        if (rowsPerTx == 1) {
          p.setInt(1, i);
          p.setBigDecimal(2, java.math.BigDecimal.valueOf(i));
          p.setString(3, i % 2 == 0 ? "new" : "paid");
        } else {
          p.setBigDecimal(1, java.math.BigDecimal.valueOf(i, 2));
        }
        p.executeUpdate();
      }
      return (CpuMeter.backendsNanos(List.of(pid)) - before) / 1e3 / ((double) rowsPerTx * txs);
    }
  }

  /** The slot reading thread's CPU per row, us, decoding a backlog of {@link #ROWS} rows in 100-row transactions. */
  private static void wal(TestDatabase db, StandInOpenWhisk openwhisk, StringBuilder report) throws Exception {
    double[][] us = new double[VARIANTS.size()][ROUNDS];
    double[][] jvm = new double[VARIANTS.size()][ROUNDS];
    try (Provider provider = start(db, openwhisk)) {
      create(new Api(provider.port(), KEY), "w", "public.w", "wal");
    }
    walOnce(db, openwhisk, "none", ROWS / 10, new double[2]); // warm-up
    for (int round = 0; round < ROUNDS; round++) {
      for (int k = 0; k < VARIANTS.size(); k++) {
        int v = (round + k) % VARIANTS.size();
        double[] m = new double[2];
        walOnce(db, openwhisk, VARIANTS.get(v), ROWS, m);
        us[v][round] = m[0];
        jvm[v][round] = m[1];
      }
    }
    for (int v = 0; v < VARIANTS.size(); v++) {
      report.append(String.format(Locale.ROOT, "filter-cost: wal [%s] slot reading thread CPU per row, us: %s (provider "
          + "JVM %s)%n", VARIANTS.get(v), Spread.of(us[v], 2), Spread.of(jvm[v], 2)));
    }
  }

  private static void walOnce(TestDatabase db, StandInOpenWhisk openwhisk, String variant, int rows, double[] out)
      throws Exception {
    try (Provider provider = start(db, openwhisk)) {
      setWhere(new Api(provider.port(), KEY), "w", variant);
    }
    db.execute("TRUNCATE whiskfeed.events");
    try (Connection c = db.connect(); Statement s = c.createStatement()) {
      s.execute("SET synchronous_commit = off");
      for (int i = 0; i < rows / 100; i++) {
        s.executeUpdate("INSERT INTO public.w (customer, status, total) SELECT g, CASE WHEN g % 2 = 0 THEN 'new' ELSE "
            + "'paid' END, " + i + " + g FROM generate_series(1, 100) g");
      }
    }
    String target = String.valueOf(db.query("SELECT pg_current_wal_insert_lsn()::text AS l").get(0).get("l"));
    long jvm0 = jvmNanos();
    try (Provider provider = start(db, openwhisk)) {
      await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(100)).until(() -> db.queryLong(
          "SELECT count(*) FROM pg_replication_slots WHERE database = current_database() AND slot_name LIKE 'whiskfeed%' "
              + "AND confirmed_flush_lsn >= ?::pg_lsn", target) > 0);
      long reader = 0;
      for (Thread t : Thread.getAllStackTraces().keySet()) {
        if (t.getName().startsWith("whiskfeed-wal-")) reader += Math.max(0, THREADS.getThreadCpuTime(t.getId()));
      }
      out[0] = reader / 1e3 / rows;
      out[1] = (jvmNanos() - jvm0) / 1e3 / rows;
    }
  }

  private static long jvmNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }
}
