package dev.whiskfeed.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

/**
 * Cheap questions to one event store for health and metrics. The backlog is read through the
 * partial pending index and counted up to {@link #BACKLOG_CAP}: a sampler that runs every few
 * seconds on every instance must not turn into a full scan when a store falls far behind.
 */
public final class StoreStats {
  public static final int BACKLOG_CAP = 100_000;

  private static final String PING = "SELECT 1";
  private static final String PENDING = """
      SELECT count(*) AS backlog,
             COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)::float8 AS oldest_age_sec,
             count(*) FILTER (WHERE locked_until > now()) AS leased
      FROM (SELECT created_at, locked_until FROM whiskfeed.events WHERE state = 'pending'
            ORDER BY next_attempt_at LIMIT $1) p""";

  /**
   * Pending events of a store: how many ({@code capped} when there are at least {@link #BACKLOG_CAP},
   * then the other figures describe the first ones by due time), the age of the oldest in seconds,
   * and how many are leased right now (by any instance).
   */
  public record Pending(long backlog, boolean capped, double oldestAgeSec, long leased) {}

  public Future<Void> ping(SqlClient c) {
    return c.query(PING).execute().mapEmpty();
  }

  public Future<Pending> pending(SqlClient c) {
    return c.preparedQuery(PENDING).execute(Tuple.of(BACKLOG_CAP)).map(rows -> {
      Row r = rows.iterator().next();
      long backlog = r.getLong("backlog");
      return new Pending(backlog, backlog >= BACKLOG_CAP, r.getDouble("oldest_age_sec"), r.getLong("leased"));
    });
  }
}
