package dev.whiskfeed.bench;

import dev.whiskfeed.testing.TestDatabase;
import java.util.List;
import java.util.Map;

/**
 * Where the server's time went during one benchmark case: the statements of pg_stat_statements with
 * the most execution time, printed with {@code -Dbench.statements=true} (the bench profile preloads
 * the module). Includes the statements run inside trigger functions (track = all).
 */
final class Statements {
  static final boolean ON = Boolean.getBoolean("bench.statements");

  private Statements() {}

  static void reset(TestDatabase db) {
    if (!ON) return;
    db.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
    db.execute("SELECT pg_stat_statements_reset()");
  }

  static void print(TestDatabase db, String label) {
    if (!ON) return;
    List<Map<String, Object>> rows = db.query("""
        SELECT calls, round(total_exec_time)::bigint AS ms, round((total_exec_time / calls * 1000)::numeric, 1) AS us,
               round((total_plan_time / calls * 1000)::numeric, 1) AS plan, rows, regexp_replace(left(query, 110), '\\s+', ' ', 'g') AS q
        FROM pg_stat_statements WHERE calls > 0 ORDER BY total_exec_time DESC LIMIT 12""");
    System.out.println("BENCH statements, " + label + " (calls, total ms, µs/call, planning µs/call, rows, query):");
    for (Map<String, Object> r : rows) {
      System.out.printf("BENCH   %8s %7s %9s %9s %8s  %s%n", r.get("calls"), r.get("ms"), r.get("us"), r.get("plan"), r.get("rows"),
          r.get("q"));
    }
  }
}
