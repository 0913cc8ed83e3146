package dev.whiskfeed.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

/**
 * Cheap questions to one event store for health and metrics, asked every few seconds by every
 * instance: none may grow into a scan of the backlog when a store falls far behind. The backlog is
 * counted in the narrow pending table (events migration V6) up to {@link #BACKLOG_CAP}. The age of the oldest pending event and the leases are read
 * from the first {@link #DETAIL_ROWS} pending rows by due time, the ones a heap visit is needed for:
 * never-tried events are due from their creation, so the first due are the oldest, and a claim
 * takes the first due, so leased events come first too (a lease leaves {@code next_attempt_at}
 * where it was). Measured by {@code GaugeCostBench}.
 */
public final class StoreStats {
  public static final int BACKLOG_CAP = 10_000;
  public static final int DETAIL_ROWS = 10_000;

  private static final String PING = "SELECT 1";
  private static final String PENDING = """
      SELECT
        (SELECT count(*) FROM (SELECT 1 FROM whiskfeed.pending LIMIT $1) b) AS backlog,
        COALESCE(EXTRACT(EPOCH FROM now() - min(d.created_at)), 0)::float8 AS oldest_age_sec,
        COALESCE(EXTRACT(EPOCH FROM now() - min(d.created_at) FILTER (WHERE f.id IS NOT NULL)), 0)::float8
          AS oldest_deliverable_age_sec,
        count(h.id) AS leased
      FROM (SELECT id, created_at, feed_id, next_attempt_at FROM whiskfeed.pending
            ORDER BY next_attempt_at LIMIT $2) d
      LEFT JOIN (SELECT DISTINCT unnest($3::bigint[]) AS id) f ON f.id = d.feed_id
      LEFT JOIN (SELECT DISTINCT id, due FROM whiskfeed.held) h ON h.id = d.id AND h.due = d.next_attempt_at""";

  /**
   * Pending events of a store: how many ({@code capped} when there are at least {@link #BACKLOG_CAP}),
   * the age in seconds of the oldest of the first {@link #DETAIL_ROWS} by due time (exact below that
   * many, and for events never tried), the same of the events of the {@code deliverable} feeds only
   * (the active ones: a paused or disabled feed's events wait on purpose), and how many are leased
   * right now by any instance (exact while the leased events are among the first {@link #DETAIL_ROWS}
   * due).
   */
  public record Pending(long backlog, boolean capped, double oldestAgeSec, double oldestDeliverableAgeSec,
                        long leased) {}

  public Future<Void> ping(SqlClient c) {
    return c.query(PING).execute().mapEmpty();
  }

  /** The pending figures of a store; {@code deliverable}: the ids of the active feeds whose events it holds. */
  public Future<Pending> pending(SqlClient c, long[] deliverable) {
    Long[] ids = java.util.Arrays.stream(deliverable).boxed().toArray(Long[]::new);
    return c.preparedQuery(PENDING).execute(Tuple.of(BACKLOG_CAP, DETAIL_ROWS, ids)).map(rows -> {
      Row r = rows.iterator().next();
      long backlog = r.getLong("backlog");
      return new Pending(backlog, backlog >= BACKLOG_CAP, r.getDouble("oldest_age_sec"),
          r.getDouble("oldest_deliverable_age_sec"), r.getLong("leased"));
    });
  }
}
