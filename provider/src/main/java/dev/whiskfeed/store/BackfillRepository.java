package dev.whiskfeed.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The SQL over {@code whiskfeed.backfills} (control database): starting a run, leasing running ones
 * to one instance, recording each finished chunk, and the status READ shows.
 */
public final class BackfillRepository {
  private static final String COLUMNS = "feed_id, run, state, filter, last_key, rows, total, error";
  private static final String FIND = "SELECT " + COLUMNS + " FROM whiskfeed.backfills WHERE feed_id = $1";
  // a new run replaces a finished one; a running one stays (the caller answers 409)
  private static final String START = """
      INSERT INTO whiskfeed.backfills (feed_id, run, state, filter, total)
      VALUES ($1, 1, 'running', $2, $3)
      ON CONFLICT (feed_id) DO UPDATE SET run = backfills.run + 1, state = 'running', filter = EXCLUDED.filter,
        total = EXCLUDED.total, last_key = NULL, rows = 0, error = NULL, started_at = clock_timestamp(),
        finished_at = NULL, locked_by = NULL, locked_until = NULL
      WHERE backfills.state <> 'running'
      RETURNING\s""" + COLUMNS;
  private static final String CLAIM = """
      UPDATE whiskfeed.backfills SET locked_by = $1, locked_until = clock_timestamp() + $2 * interval '1 millisecond'
      WHERE feed_id IN (SELECT feed_id FROM whiskfeed.backfills
                        WHERE state = 'running' AND (locked_until IS NULL OR locked_until < clock_timestamp())
                        ORDER BY started_at LIMIT $3 FOR UPDATE SKIP LOCKED)
      RETURNING\s""" + COLUMNS;
  private static final String CHUNK_DONE = """
      UPDATE whiskfeed.backfills SET last_key = $4, rows = rows + $5,
        state = CASE WHEN $6 THEN 'done' ELSE state END,
        finished_at = CASE WHEN $6 THEN clock_timestamp() END,
        locked_by = CASE WHEN $6 THEN NULL ELSE locked_by END,
        locked_until = CASE WHEN $6 THEN NULL ELSE clock_timestamp() + $7 * interval '1 millisecond' END
      WHERE feed_id = $1 AND run = $2 AND locked_by = $3 AND state = 'running'
      RETURNING feed_id""";
  private static final String FAIL = """
      UPDATE whiskfeed.backfills SET state = 'failed', error = $4, finished_at = clock_timestamp(),
        locked_by = NULL, locked_until = NULL
      WHERE feed_id = $1 AND run = $2 AND locked_by = $3 AND state = 'running'""";
  private static final String RELEASE = """
      UPDATE whiskfeed.backfills SET locked_by = NULL, locked_until = NULL
      WHERE feed_id = $1 AND run = $2 AND locked_by = $3""";

  public Future<Optional<Backfill>> find(SqlClient c, long feedId) {
    return c.preparedQuery(FIND).execute(Tuple.of(feedId))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(backfill(rows.iterator().next())));
  }

  /** Starts the feed's next run; empty when one is running already. */
  public Future<Optional<Backfill>> start(SqlClient c, long feedId, String filter, Long total) {
    return c.preparedQuery(START).execute(Tuple.of(feedId, filter, total))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(backfill(rows.iterator().next())));
  }

  /** Leases up to {@code max} running backfills nobody holds (never started, released, or their holder died) to {@code holder}. */
  public Future<List<Backfill>> claim(SqlClient c, String holder, long leaseMs, int max) {
    return c.preparedQuery(CLAIM).execute(Tuple.of(holder, leaseMs, max)).map(rows -> {
      List<Backfill> out = new ArrayList<>();
      rows.forEach(r -> out.add(backfill(r)));
      return out;
    });
  }

  /**
   * Records a finished chunk and renews the lease ({@code last} ends the run). False when the run is
   * no longer this holder's to go on with: the feed was deleted, a newer run replaced it, or the
   * lease expired and another instance took it.
   */
  public Future<Boolean> chunkDone(SqlClient c, Backfill b, String holder, String[] lastKey, int rows, boolean last,
                                   long leaseMs) {
    return c.preparedQuery(CHUNK_DONE).execute(Tuple.of(b.feedId(), b.run(), holder, lastKey, rows, last, leaseMs))
        .map(result -> result.size() == 1);
  }

  public Future<Void> fail(SqlClient c, Backfill b, String holder, String error) {
    return c.preparedQuery(FAIL).execute(Tuple.of(b.feedId(), b.run(), holder, error)).mapEmpty();
  }

  /** Hands the lease back (a graceful stop, or a failure worth retrying): any instance may go on at once. */
  public Future<Void> release(SqlClient c, Backfill b, String holder) {
    return c.preparedQuery(RELEASE).execute(Tuple.of(b.feedId(), b.run(), holder)).mapEmpty();
  }

  private static Backfill backfill(Row r) {
    String[] key = r.getArrayOfStrings("last_key");
    return new Backfill(r.getLong("feed_id"), r.getInteger("run"), Backfill.State.parse(r.getString("state")),
        r.getString("filter"), key == null ? null : Arrays.asList(key), r.getLong("rows"), r.getLong("total"),
        r.getString("error"));
  }
}
