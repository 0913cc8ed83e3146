package dev.whiskfeed.bench;

import dev.whiskfeed.config.DbUrl;
import dev.whiskfeed.store.Migrations;
import dev.whiskfeed.store.StoreStats;
import dev.whiskfeed.testing.PgExtension;
import dev.whiskfeed.testing.TestDatabase;
import dev.whiskfeed.testing.TestPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What the store gauges cost: the backlog query of {@link StoreStats} that every instance runs every 5 s on every
 * store (and that {@code GET /api/v1/admin/stores} runs), timed by EXPLAIN ANALYZE (median of 5) with
 * {@code bench.rows} delivered events (default 1,000,000) beside a growing backlog of pending ones (1,000, then up
 * to {@code bench.pending}, default 1,000,000), right after VACUUM and after a fifth of the backlog was retried
 * (updated, visibility map stale); beside it the first version of the query, which read every pending row up to
 * 100,000 from the heap. Prints figures only.
 * Run: {@code mvn -B -Pbench verify -pl provider -am -Dit.test=GaugeCostBench -Dbench.rows=1000000}.
 */
@ExtendWith(PgExtension.class)
@Timeout(value = 1, unit = TimeUnit.HOURS)
class GaugeCostBench {
  static final int CHUNK = 500_000;

  @Test
  void backlogQueryTime(TestPostgres pg) throws Exception {
    long delivered = Long.getLong("bench.rows", 1_000_000);
    long maxPending = Long.getLong("bench.pending", 1_000_000);
    TestDatabase db = pg.newDatabase("gauge_bench");
    Migrations.migrateControl(DbUrl.parse(db.url()));
    for (long from = 1; from <= delivered; from += CHUNK) {
      long to = Math.min(delivered, from + CHUNK - 1);
      db.execute("INSERT INTO whiskfeed.events (feed_id, op, payload, created_at, state, attempts, next_attempt_at, "
          + "delivered_at, last_status) SELECT 1 + g % 100, 'INSERT', jsonb_build_object('id', g, 'pad', "
          + "repeat('x', 100)), now() - interval '1 day', 'delivered', 1, now() - interval '1 day', now() - "
          + "interval '1 day', 202 FROM generate_series(" + from + ", " + to + ") g");
    }
    long pending = 0;
    for (long target = 1_000; target <= maxPending; target *= 10) {
      insertPending(db, pending, target);
      pending = target;
      db.execute("VACUUM ANALYZE whiskfeed.events");
      db.execute("VACUUM ANALYZE whiskfeed.pending");
      print("%,d pending, %,d delivered, vacuumed: now %s; first version %s", pending, delivered,
          time(db, current(), "(int, int, bigint[])", currentArgs()),
          time(db, FIRST_VERSION, "(int)", "100000"));
      // a fifth of the backlog retried: due in a minute, some leased, pages not all-visible any more
      db.execute("UPDATE whiskfeed.events SET attempts = 1 WHERE state = 'pending' AND seq % 5 = 0");
      db.execute("UPDATE whiskfeed.pending SET next_attempt_at = now() + interval '1 minute' WHERE seq % 5 = 0");
      db.execute("WITH l AS (INSERT INTO whiskfeed.leases VALUES ('x', now() + interval '1 minute')) "
          + "INSERT INTO whiskfeed.claims (holder, ids, dues) SELECT 'x', array_agg(id), array_agg(next_attempt_at) "
          + "FROM whiskfeed.pending WHERE seq % 10 = 0");
      print("%,d pending, %,d delivered, a fifth retried: now %s; first version %s", pending, delivered,
          time(db, current(), "(int, int, bigint[])", currentArgs()),
          time(db, FIRST_VERSION, "(int)", "100000"));
      db.execute("UPDATE whiskfeed.events SET attempts = 0 WHERE state = 'pending' AND attempts = 1");
      db.execute("UPDATE whiskfeed.pending SET next_attempt_at = created_at WHERE seq % 5 = 0");
      db.execute("WITH l AS (DELETE FROM whiskfeed.leases) DELETE FROM whiskfeed.claims");
    }
  }

  /** StoreStats' query as first written (on today's tables): every pending row up to 100,000, and the leases. */
  static final String FIRST_VERSION = """
      SELECT count(*) AS backlog,
             COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)::float8 AS oldest_age_sec,
             count(h.id) AS leased
      FROM (SELECT id, created_at, next_attempt_at FROM whiskfeed.pending ORDER BY next_attempt_at LIMIT $1) p
      LEFT JOIN whiskfeed.held h ON h.id = p.id AND h.due = p.next_attempt_at""";

  private static void insertPending(TestDatabase db, long from, long to) {
    for (long a = from + 1; a <= to; a += CHUNK) {
      long b = Math.min(to, a + CHUNK - 1);
      db.execute("INSERT INTO whiskfeed.events (feed_id, op, payload, created_at, next_attempt_at) SELECT 1 + g % 100, "
          + "'MANUAL', jsonb_build_object('n', g), now() - (g % 3600) * interval '1 second', now() - (g % 3600) * "
          + "interval '1 second' FROM generate_series(" + a + ", " + b + ") g");
    }
  }

  private static String time(TestDatabase db, String sql, String types, String args) throws Exception {
    List<Double> times = new ArrayList<>();
    String buffers = "";
    try (Connection c = db.connect(); Statement s = c.createStatement()) {
      s.execute("PREPARE pending" + types + " AS " + sql);
      for (int i = 0; i < 5; i++) {
        try (ResultSet rs = s.executeQuery("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) EXECUTE pending(" + args + ")")) {
          rs.next();
          io.vertx.core.json.JsonObject plan = new io.vertx.core.json.JsonArray(rs.getString(1)).getJsonObject(0);
          times.add(plan.getDouble("Execution Time"));
          io.vertx.core.json.JsonObject top = plan.getJsonObject("Plan");
          buffers = "shared hit " + top.getLong("Shared Hit Blocks") + ", read " + top.getLong("Shared Read Blocks");
        }
      }
    }
    Collections.sort(times);
    return String.format("%.2f ms (median of 5, max %.2f; %s blocks)", times.get(2), times.get(4), buffers);
  }

  /** The caps, and half of the 100 feeds active. */
  private static String currentArgs() {
    StringBuilder active = new StringBuilder("ARRAY[");
    for (int i = 1; i <= 50; i++) active.append(i == 1 ? "" : ",").append(i);
    return StoreStats.BACKLOG_CAP + ", " + StoreStats.DETAIL_ROWS + ", " + active + "]::bigint[]";
  }

  private static String current() throws Exception {
    java.lang.reflect.Field f = StoreStats.class.getDeclaredField("PENDING");
    f.setAccessible(true);
    return (String) f.get(null);
  }

  private static void print(String format, Object... args) {
    System.out.println("BENCH gauges " + String.format(format, args));
  }
}
