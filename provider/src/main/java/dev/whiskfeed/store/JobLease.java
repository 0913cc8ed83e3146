package dev.whiskfeed.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

/**
 * Cluster-wide jobs in {@code whiskfeed.jobs}: one instance at a time holds a job's lease, and a
 * job is due again only {@code every} after its last run ended, whichever instance ran it.
 */
public final class JobLease {
  private static final String ENSURE = "INSERT INTO whiskfeed.jobs (name) VALUES ($1) ON CONFLICT (name) DO NOTHING";
  private static final String CLAIM = """
      UPDATE whiskfeed.jobs SET locked_by = $2, locked_until = now() + $3 * interval '1 millisecond'
      WHERE name = $1 AND (locked_until IS NULL OR locked_until < now())
        AND (last_run_at IS NULL OR last_run_at <= now() - $4 * interval '1 millisecond')
      RETURNING name""";
  private static final String RENEW = """
      UPDATE whiskfeed.jobs SET locked_until = now() + $3 * interval '1 millisecond'
      WHERE name = $1 AND locked_by = $2 RETURNING name""";
  private static final String FINISH = """
      UPDATE whiskfeed.jobs SET locked_by = NULL, locked_until = NULL, last_run_at = now()
      WHERE name = $1 AND locked_by = $2""";
  private static final String RELEASE = """
      UPDATE whiskfeed.jobs SET locked_by = NULL, locked_until = NULL WHERE name = $1 AND locked_by = $2""";

  /** True when {@code holder} now holds the job for {@code leaseMs}: it is due and nobody else holds it. */
  public Future<Boolean> claim(SqlClient c, String job, String holder, long leaseMs, long everyMs) {
    return c.preparedQuery(ENSURE).execute(Tuple.of(job))
        .compose(v -> c.preparedQuery(CLAIM).execute(Tuple.of(job, holder, leaseMs, everyMs)))
        .map(rows -> rows.size() == 1);
  }

  /** Extends the lease; false when it was lost (expired and taken by another instance). */
  public Future<Boolean> renew(SqlClient c, String job, String holder, long leaseMs) {
    return c.preparedQuery(RENEW).execute(Tuple.of(job, holder, leaseMs)).map(rows -> rows.size() == 1);
  }

  /** The run is complete: the lease goes, and the job is next due {@code every} from now. */
  public Future<Void> finish(SqlClient c, String job, String holder) {
    return c.preparedQuery(FINISH).execute(Tuple.of(job, holder)).mapEmpty();
  }

  /** Gives the lease back without counting a run (stopping midway): another instance may go on at once. */
  public Future<Void> release(SqlClient c, String job, String holder) {
    return c.preparedQuery(RELEASE).execute(Tuple.of(job, holder)).mapEmpty();
  }
}
