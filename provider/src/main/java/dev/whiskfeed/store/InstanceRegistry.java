package dev.whiskfeed.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

/**
 * Heartbeats of the provider instances in {@code whiskfeed.instances}, timed by the database's
 * clock (one clock for every instance). Rows of instances gone for a day are deleted by whoever
 * beats next.
 */
public final class InstanceRegistry {
  /** Upserts this instance's row; answers how many instances beat within the window, this one included. */
  private static final String BEAT = """
      WITH beat AS (
        INSERT INTO whiskfeed.instances (holder, seen_at) VALUES ($1, now())
        ON CONFLICT (holder) DO UPDATE SET seen_at = now()),
      gone AS (DELETE FROM whiskfeed.instances WHERE seen_at < now() - interval '1 day')
      SELECT 1 + count(*) AS live FROM whiskfeed.instances
      WHERE holder <> $1 AND seen_at > now() - $2 * interval '1 millisecond'""";
  private static final String LEAVE = "DELETE FROM whiskfeed.instances WHERE holder = $1";

  /** Records that {@code holder} is alive now; the number of instances seen within {@code windowMs}, at least 1. */
  public Future<Integer> beat(SqlClient c, String holder, long windowMs) {
    return c.preparedQuery(BEAT).execute(Tuple.of(holder, windowMs))
        .map(rows -> rows.iterator().next().getLong("live").intValue());
  }

  /** A graceful stop: the others count one instance less at their next heartbeat. */
  public Future<Void> leave(SqlClient c, String holder) {
    return c.preparedQuery(LEAVE).execute(Tuple.of(holder)).mapEmpty();
  }
}
