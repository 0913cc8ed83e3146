package dev.whiskfeed.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.whiskfeed.config.DbUrl;
import dev.whiskfeed.ops.RetentionJob;
import dev.whiskfeed.store.ClaimRepository;
import dev.whiskfeed.store.Database;
import dev.whiskfeed.store.EventStore;
import dev.whiskfeed.store.EventStores;
import dev.whiskfeed.store.JobLease;
import dev.whiskfeed.store.Migrations;
import dev.whiskfeed.store.Retention;
import dev.whiskfeed.testing.PgExtension;
import dev.whiskfeed.testing.TestDatabase;
import dev.whiskfeed.testing.TestPostgres;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Claiming stays fast however many delivered rows an event table holds, and retention deletes them faster than a
 * busy store produces them. Generates {@code bench.rows} delivered events (default 1,000,000) older than the
 * retention, plus a backlog of 1,000 pending events; prints the claim statement's EXPLAIN ANALYZE time (median of
 * 5, each rolled back) with 0 and with N delivered rows, then the retention job's throughput over all of them
 * (5,000-row batches), then the claim time again. Prints figures; asserts only that retention deleted them all.
 * Run: {@code mvn -B -Pbench verify -pl provider -am -Dit.test=RetentionBench -Dbench.rows=10000000}.
 */
@ExtendWith(PgExtension.class)
@Timeout(value = 4, unit = TimeUnit.HOURS)
class RetentionBench {
  static final int FEEDS = 100;
  static final int PENDING = 1000;
  static final int CHUNK = 500_000;

  @Test
  void claimTimeAndRetentionThroughput(TestPostgres pg) throws Exception {
    long rows = Long.getLong("bench.rows", 1_000_000);
    TestDatabase db = pg.newDatabase("retention_bench");
    DbUrl url = DbUrl.parse(db.url());
    Migrations.migrateControl(url);
    db.execute("INSERT INTO whiskfeed.events (feed_id, op, payload) SELECT 1 + g % " + FEEDS + ", 'MANUAL', "
        + "jsonb_build_object('data', jsonb_build_object('n', g)) FROM generate_series(1, " + PENDING + ") g");
    db.execute("VACUUM ANALYZE whiskfeed.events");
    print("claim, %d pending, 0 delivered: %s", PENDING, claimTime(db));

    long t0 = System.nanoTime();
    for (long from = 1; from <= rows; from += CHUNK) {
      long to = Math.min(rows, from + CHUNK - 1);
      db.execute("INSERT INTO whiskfeed.events (feed_id, op, payload, created_at, state, attempts, next_attempt_at, "
          + "delivered_at, last_status, activation_id) SELECT 1 + g % " + FEEDS + ", 'INSERT', "
          + "jsonb_build_object('data', jsonb_build_object('id', g, 'pad', repeat('x', 100))), "
          + "now() - interval '10 days', 'delivered', 1, now() - interval '10 days', "
          + "now() - interval '9 days' - (g % 86400) * interval '1 second', 202, md5(g::text) "
          + "FROM generate_series(" + from + ", " + to + ") g");
    }
    double genSec = (System.nanoTime() - t0) / 1e9;
    db.execute("VACUUM ANALYZE whiskfeed.events");
    print("generated %,d delivered rows in %.1f s; table %s, indexes %s", rows, genSec,
        db.query("SELECT pg_size_pretty(pg_table_size('whiskfeed.events')) AS s").get(0).get("s"),
        db.query("SELECT pg_size_pretty(pg_indexes_size('whiskfeed.events')) AS s").get(0).get("s"));
    print("claim, %d pending, %,d delivered: %s", PENDING, rows, claimTime(db));
    printPlan(db);

    Vertx vertx = Vertx.vertx();
    try {
      Pool pool = Database.pool(vertx, url, 2);
      EventStores stores = new EventStores(vertx, new EventStore(EventStore.CONTROL, url, pool), Map.of(), 2);
      RetentionJob job = new RetentionJob(vertx, stores, new JobLease(), new Retention(), new SimpleMeterRegistry(),
          new RetentionJob.Settings("bench", Duration.ofDays(7), Duration.ofDays(30), 5000, Duration.ofMinutes(15),
              Duration.ofMinutes(1), Duration.ofHours(1), Duration.ofMinutes(2)));
      long r0 = System.nanoTime();
      CompletableFuture<Map<String, Map<String, Long>>> done = new CompletableFuture<>();
      vertx.runOnContext(v -> job.runIfDue().onComplete(ar -> {
        if (ar.succeeded()) done.complete(ar.result());
        else done.completeExceptionally(ar.cause());
      }));
      Map<String, Map<String, Long>> deleted = done.get(4, TimeUnit.HOURS);
      double secs = (System.nanoTime() - r0) / 1e9;
      long n = deleted.get("control").get("delivered_events");
      print("retention: deleted %,d delivered rows in %.1f s = %,.0f rows/s (5000-row batches)", n, secs, n / secs);
      assertThat(n).isEqualTo(rows);
      pool.close();
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    print("claim right after retention (dead tuples not vacuumed yet): %s", claimTime(db));
    db.execute("VACUUM ANALYZE whiskfeed.events");
    print("claim after VACUUM: %s", claimTime(db));
  }

  /** The claim statement of {@link ClaimRepository}, as EXPLAIN ANALYZE measures it: median of 5 rolled-back runs. */
  private static String claimTime(TestDatabase db) throws Exception {
    List<Double> times = new ArrayList<>();
    try (Connection c = db.connect(); Statement s = c.createStatement()) {
      s.execute("PREPARE claim(text, bigint, bigint[], int) AS " + claimSql());
      for (int i = 0; i < 5; i++) {
        c.setAutoCommit(false);
        try (ResultSet rs = s.executeQuery("EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE claim('bench', 30000, "
            + feedIds() + ", 500)")) {
          rs.next();
          times.add(new io.vertx.core.json.JsonArray(rs.getString(1)).getJsonObject(0).getDouble("Execution Time"));
        }
        c.rollback();
        c.setAutoCommit(true);
      }
    }
    Collections.sort(times);
    return String.format("%.2f ms (median of 5, min %.2f, max %.2f) for a 500-event claim", times.get(2),
        times.get(0), times.get(4));
  }

  private static void printPlan(TestDatabase db) throws Exception {
    try (Connection c = db.connect(); Statement s = c.createStatement()) {
      s.execute("PREPARE claim(text, bigint, bigint[], int) AS " + claimSql());
      c.setAutoCommit(false);
      try (ResultSet rs = s.executeQuery("EXPLAIN (ANALYZE, BUFFERS) EXECUTE claim('bench', 30000, " + feedIds()
          + ", 500)")) {
        while (rs.next()) System.out.println("BENCH   | " + rs.getString(1));
      }
      c.rollback();
    }
  }

  private static String feedIds() {
    StringBuilder ids = new StringBuilder("ARRAY[");
    for (int i = 1; i <= FEEDS; i++) ids.append(i == 1 ? "" : ",").append(i);
    return ids.append("]::bigint[]").toString();
  }

  private static String claimSql() throws Exception {
    java.lang.reflect.Field f = ClaimRepository.class.getDeclaredField("CLAIM");
    f.setAccessible(true);
    return (String) f.get(null);
  }

  private static void print(String format, Object... args) {
    System.out.println("BENCH retention " + String.format(format, args));
  }
}
